"""Running the command an :class:`~smm_tui.cli.args.Args` names, once click is done."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from smm_tui.cli.args import Args
from smm_tui.startup import imports_without_gc

if TYPE_CHECKING:
    from smm_tui.commands.setup import Workplace


def dispatch(args: Args, env: dict[str, str]) -> int:
    """Run the command ``args`` names; its exit status."""
    if args.command == "contest verify":
        # It checks a file alone: before any config, data dir or log is looked for.
        from smm_tui.commands import contest_verify

        return contest_verify.verify(Path(args.file))
    # The commands load the store and the adapters: only once one is known to run.
    with imports_without_gc():
        from smm_tui.commands import (
            app,
            doctor,
            export,
            importing,
            poll,
            posting,
            reading,
            replies,
            reply,
            report,
            setup,
        )
        from smm_tui.runtime import settings_from

    if args.command == "demo":
        demo = setup.demo_workplace(args.config, args.data_dir, args.user, args.rate, env)
        return app.run_app(demo.config, demo.data_dir, env)
    where = setup.workplace(args.config, args.data_dir, args.user, env, demo=args.demo)
    config, data_dir = where.config, where.data_dir
    with setup.logging_to(args.log_file, args.log_level, config, env):
        match args.command:
            case "doctor":
                return doctor.doctor(config, data_dir, env)
            case "poll":
                return poll.poll(config, data_dir, env, once=args.once)
            case "reply":
                return reply.reply(
                    config, data_dir, env, args.mention_id, args.text, force=args.force
                )
            case "report":
                return report.write_report(
                    data_dir,
                    config,
                    args.days,
                    args.fmt,
                    args.output,
                    args.query,
                    elsewhere=where.elsewhere,
                )
            case "export":
                return export.export_mentions(
                    data_dir, config, args.fmt, args.output, args.query, elsewhere=where.elsewhere
                )
            case "import":
                return importing.import_mentions(data_dir, config, Path(args.file))
            case "post":
                request = posting.PostRequest(
                    args.accounts, args.post_text, args.text_file, args.at, args.campaign
                )
                return posting.post(config, data_dir, env, request, args.retry, force=args.force)
            case "posts":
                return posting.export_posts(
                    data_dir, config, args.fmt, args.output, args.query, elsewhere=where.elsewhere
                )
            case "growth":
                return posting.export_growth(
                    data_dir, config, args.fmt, args.output, args.account, elsewhere=where.elsewhere
                )
            case "trends" | "alerts":
                return _trends_command_run(args, where)
            case "replies list":
                saved = settings_from(config).saved_replies
                return reading.write_out(
                    None, "saved reply", lambda out: replies.list_replies(saved, args.fmt, out)
                )
        if args.command.startswith("ticket "):
            return _ticket_command_run(args, where, env)
        if args.command.startswith("campaign "):
            return _campaign_command_run(args, where)
        if args.command.startswith("incident "):
            return _incident_command_run(args, where, env)
        if args.command.startswith("contest "):
            return _contest_command_run(args, where, env)
        return app.run_app(config, data_dir, env)


def _trends_command_run(args: Args, where: Workplace) -> int:
    """Run ``trends`` or ``alerts``."""
    from smm_tui.commands import trends

    config, data_dir, elsewhere = where.config, where.data_dir, where.elsewhere
    if args.command == "trends":
        return trends.list_trends(
            data_dir, config, args.window, args.fmt, args.output, elsewhere=elsewhere
        )
    return trends.list_alerts(data_dir, config, args.fmt, args.output, elsewhere=elsewhere)


def _ticket_command_run(args: Args, where: Workplace, env: dict[str, str]) -> int:
    """Run ``ticket open``, ``list``, ``send``, ``resolve`` or ``note``."""
    from smm_tui.commands import tickets

    config, data_dir, elsewhere = where.config, where.data_dir, where.elsewhere
    match args.command:
        case "ticket open":
            return tickets.open_ticket(
                config,
                data_dir,
                env,
                args.mention_ids,
                args.department,
                args.note,
                elsewhere=elsewhere,
            )
        case "ticket list":
            return tickets.list_tickets(
                data_dir, config, args.fmt, args.output, args.query, elsewhere=elsewhere
            )
        case "ticket send":
            return tickets.send_ticket(
                config, data_dir, env, args.ref, again=args.again, elsewhere=elsewhere
            )
        case "ticket resolve":
            return tickets.resolve_ticket(
                config, data_dir, env, args.ref, args.follow_up, args.reason, elsewhere=elsewhere
            )
        case "ticket note":
            return tickets.note_ticket(
                config, data_dir, env, args.ref, args.text, elsewhere=elsewhere
            )
    raise AssertionError(f"no ticket command {args.command!r}")


def _incident_command_run(args: Args, where: Workplace, env: dict[str, str]) -> int:
    """Run ``incident list``, ``show``, ``open``, ``drop``, ``reply`` or ``resolve``."""
    from smm_tui.commands import incidents

    return incidents.run(args, where.config, where.data_dir, env, elsewhere=where.elsewhere)


def _contest_command_run(args: Args, where: Workplace, env: dict[str, str]) -> int:
    """Run ``contest create``, ``rules``, ``commit``, ``close``, ``draw``, ``proof``,
    ``announce``, ``export`` or ``list``."""
    from smm_tui.commands import contests

    return contests.run(args, where.config, where.data_dir, env, elsewhere=where.elsewhere)


def _campaign_command_run(args: Args, where: Workplace) -> int:
    """Run ``campaign create``, ``add-posts``, ``link-contest``, ``spend import``, ``report``
    or ``list``."""
    from smm_tui.commands import campaigns

    config, data_dir, elsewhere = where.config, where.data_dir, where.elsewhere
    match args.command:
        case "campaign create":
            return campaigns.create_campaign(
                config,
                data_dir,
                args.name,
                args.starts,
                args.ends,
                hashtags=args.hashtags,
                keywords=args.keywords,
                budget=args.budget,
            )
        case "campaign add-posts":
            return campaigns.add_posts(config, data_dir, args.name, args.query)
        case "campaign link-contest":
            return campaigns.link_contest(config, data_dir, args.name, args.contest)
        case "campaign spend import":
            return campaigns.import_spend(config, data_dir, Path(args.file))
        case "campaign report":
            return campaigns.report_campaign(
                data_dir, config, args.name, args.fmt, args.output, elsewhere=elsewhere
            )
        case "campaign list":
            return campaigns.list_campaigns(
                data_dir, config, args.fmt, args.output, elsewhere=elsewhere
            )
    raise AssertionError(f"no campaign command {args.command!r}")
