"""The bodies of the ``smm-tui`` commands, one module each; :mod:`smm_tui.cli` picks one.

Each command returns its exit status; a mistake the user can fix raises
:class:`~smm_tui.commands.errors.UserError`. Only :mod:`~smm_tui.commands.errors`
is imported with the command line: the others load the store and the adapters,
so they are imported once a command is known to run (``--help`` and shell
completion stay quick).
"""
