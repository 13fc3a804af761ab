"""Quanzi's store: tables and write paths, behind one ``Store`` object.

Knows nothing of WebSockets, Starlette or Redis. Expected outcomes are the
domain exceptions of ``store.errors``; see ``store/README.md`` for the API.
Each part of a circle is a service of its own on the ``Store`` (``circles``,
``memberships``, ``follows``, ``groups``, ``chat``, ``stars``, ``posts``, ``pins``, ``must_reads``,
``comments``, ``reactions``, ``message_edits``, ``account_export``, ``account_deletion``, ``polls``, ``attachments``, ``audit``, ``reports``, ``sanctions``, ``reads``, ``notifications``, ``notification_settings``, ``retention``, ``changes``); every
change to a circle's durable
side is logged (``store.changes``) and handed to ``on_changes`` after its commit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .access_codes import AccessCodes
from .account_deletion import AccountDeletion
from .account_export import KINDS as EXPORT_KINDS
from .account_export import AccountExport
from .accounts import NAME_MAX, PASSWORD_MAX, PASSWORD_MIN, Accounts, TokenLifetimes, token_hash
from .attachment_uses import ID_MAX as ATTACHMENT_ID_MAX
from .attachment_uses import PER_OWNER_MAX as ATTACHMENTS_PER_OWNER
from .attachment_uses import public as public_attachment
from .attachments import KINDS as ATTACHMENT_KINDS
from .attachments import LIST_DEFAULT as ATTACHMENTS_LIST_DEFAULT
from .attachments import LIST_MAX as ATTACHMENTS_LIST_MAX
from .attachments import Attachments, clean_name
from .audit import PAGE_MAX as AUDIT_PAGE_MAX
from .audit import Audit, record_act
from .away_tables import ADDRESS_MAX as EMAIL_ADDRESS_MAX
from .away_tables import ENDPOINT_MAX as PUSH_ENDPOINT_MAX
from .batch import Addressed
from .blobs import BlobStore, LocalBlobs, S3Blobs
from .bots import Bots
from .challenges import Challenges
from .changes import KINDS as CHANGE_KINDS
from .changes import Change, ChangePage, Changes, OnChanges
from .chat import Chat
from .checkin_export import CheckinExport
from .checkin_features import CheckinFeatures
from .checkin_reminders import CheckinReminders
from .checkin_review import CheckinReview
from .checkins import TEXT_MAX as CHECKIN_TEXT_MAX
from .checkins import CheckIns
from .circle_export import CircleExport
from .circles import Circles
from .comments import Comments
from .commit_queue import CommitQueue, CommitStats, OnCommitted, Outcome
from .contests import Contests
from .deleted_circles import DeletedCircles
from .demo import Demo
from .digests import Digests
from .engine import Database, open_database
from .errors import Busy, Conflict, Forbidden, Invalid, NotFound, StoreError, Unauthenticated
from .follows import PAGE_MAX as FOLLOWERS_PAGE_MAX
from .follows import Follows
from .gatherings import ANSWERS as RSVP_ANSWERS
from .gatherings import Gatherings
from .groups import ACCESS as GROUP_ACCESS
from .groups import GROUP_ROLES, Groups
from .groups import MEMBERS_PAGE_MAX as GROUP_MEMBERS_MAX
from .groups import NAME_MAX as GROUP_NAME_MAX
from .groups import SLOW_MODE_MAX_S as GROUP_SLOW_MODE_MAX_S
from .groups import TOPIC_MAX as GROUP_TOPIC_MAX
from .homework import Homework
from .ids import new_id, now_ms
from .incoming_hooks import IncomingHooks
from .join_requests import JoinRequests
from .lessons import DESCRIPTION_MAX as LESSON_DESCRIPTION_MAX
from .lessons import DURATION_MAX_MIN as LESSON_DURATION_MAX_MIN
from .lessons import REMIND_MAX_MIN as LESSON_REMIND_MAX_MIN
from .lessons import TITLE_MAX as LESSON_TITLE_MAX
from .lessons import URL_MAX as LESSON_URL_MAX
from .lessons import Lessons
from .lookups import NAME_QUERY_MAX, voice_refusal
from .mail_settings import DIGESTS as MAIL_DIGESTS
from .mail_settings import MailSettings
from .makeups import MakeUps
from .memberships import Memberships
from .mentions import starts as mention_starts
from .message_edits import EDIT_WINDOW_MS, RECALL_WINDOW_MS, MessageEdits
from .migrate import current as current_revision
from .must_read import MustReads
from .notification_settings import KINDS as NOTIFICATION_KINDS
from .notification_settings import LEVELS as NOTIFICATION_LEVELS
from .notification_settings import NotificationSettings
from .notifications import PAGE_MAX as NOTIFICATIONS_PAGE_MAX
from .notifications import Notifications
from .notifications import public as public_notification
from .payments import Payments
from .pins import Pins
from .point_awards import ACTIONS as POINT_ACTIONS
from .points import PERIODS as POINT_PERIODS
from .points import Points
from .polls import LIST_MAX as POLLS_LIST_MAX
from .polls import OPTION_MAX as POLL_OPTION_MAX
from .polls import OPTIONS_MAX as POLL_OPTIONS_MAX
from .polls import QUESTION_MAX as POLL_QUESTION_MAX
from .polls import Polls
from .posts import Posts
from .push_subscriptions import LABEL_MAX as PUSH_LABEL_MAX
from .push_subscriptions import PushSubscriptions
from .reactions import EMOJI_MAX, EMOJI_PER_TARGET, Reactions
from .reactions import RANGE_MAX as REACTIONS_RANGE_MAX
from .reads import Reads
from .records import MANAGER_ROLES, ROLES, GeneralChat, GroupAccess, Membership, Record, shared_post
from .reports import NOTE_MAX as REPORT_NOTE_MAX
from .reports import OUTCOMES as REPORT_OUTCOMES
from .reports import PAGE_MAX as REPORTS_PAGE_MAX
from .reports import REASONS as REPORT_REASONS
from .reports import TARGET_KINDS as REPORT_TARGET_KINDS
from .reports import TEXT_MAX as REPORT_TEXT_MAX
from .reports import Reports
from .retention import Retention
from .sanctions import UNTIL_LIFTED as MUTED_UNTIL_LIFTED
from .sanctions import Sanctions
from .search import PAGE_MAX as SEARCH_PAGE_MAX
from .search import Search
from .search_index import KINDS as SEARCH_KINDS
from .search_tokens import QUERY_MAX as SEARCH_QUERY_MAX
from .sections import KEYS as SECTION_KEYS
from .stars import Stars
from .term_dates import GRACE_MS as MEMBERSHIP_GRACE_MS
from .terms import Terms
from .webhook_outbox import EVENTS as WEBHOOK_EVENTS
from .webhook_outbox import Due as WebhookDue
from .webhook_outbox import Outcome as WebhookOutcome
from .webhooks import Webhooks


class Store:
    """The database and the services the server uses."""

    def __init__(
        self,
        db: Database,
        commit_queue: CommitQueue,
        password_time_cost: int,
        token_lifetimes: TokenLifetimes | None = None,
        password_workers: int = 0,
        password_queue: int = 32,
        membership_grace_ms: int = MEMBERSHIP_GRACE_MS,
    ) -> None:
        self.db = db
        self._commit_queue = commit_queue
        self.accounts = Accounts(
            db,
            password_time_cost,
            **(token_lifetimes or {}),
            password_workers=password_workers,
            password_queue=password_queue,
        )
        self.circles = Circles(db)
        self.memberships = Memberships(db, membership_grace_ms)
        self.terms = Terms(db, membership_grace_ms)
        self.payments = Payments(db, membership_grace_ms)
        self.join_requests = JoinRequests(db)
        self.follows = Follows(db)
        self.codes = AccessCodes(db)
        self.groups = Groups(db)
        self.chat = Chat(db, commit_queue)
        self.stars = Stars(db)
        self.message_edits = MessageEdits(db)
        self.posts = Posts(db)
        self.pins = Pins(db)
        self.must_reads = MustReads(db)
        self.comments = Comments(db)
        self.reactions = Reactions(db)
        self.polls = Polls(db, self.chat)
        self.attachments = Attachments(db)
        self.audit = Audit(db)
        self.sanctions = Sanctions(db)
        self.deleted_circles = DeletedCircles(db)
        self.account_export = AccountExport(db)
        self.account_deletion = AccountDeletion(db, self.accounts)
        self.reports = Reports(db)
        self.challenges = Challenges(db)
        self.gatherings = Gatherings(db)
        self.points = Points(db)
        self.webhooks = Webhooks(db)
        self.incoming_hooks = IncomingHooks(db)
        self.bots = Bots(db)
        self.contests = Contests(db, self.posts, self.must_reads)
        self.checkins = CheckIns(db)
        self.makeups = MakeUps(db)
        self.checkin_review = CheckinReview(db)
        self.checkin_features = CheckinFeatures(db)
        self.checkin_reminders = CheckinReminders(db)
        self.checkin_export = CheckinExport(db)
        self.circle_export = CircleExport(db)
        self.homework = Homework(db)
        self.lessons = Lessons(db)
        self.reads = Reads(db)
        self.notifications = Notifications(db)
        self.notification_settings = NotificationSettings(db)
        self.search = Search(db, commit_queue.index_now)
        # Reaching members who are away: Web Push devices, email, digests.
        self.push_subscriptions = PushSubscriptions(db)
        self.mail_settings = MailSettings(db)
        self.digests = Digests(db, self.must_reads)
        self.retention = Retention(db)
        self.changes = Changes(db)
        self.demo = Demo(db)  # the demo seed's look-ups (server/seed.py)

    @classmethod
    async def open(
        cls,
        url: str,
        on_committed: OnCommitted | None = None,
        batch_max: int = 1000,
        password_time_cost: int = 2,
        on_changes: OnChanges | None = None,
        token_lifetimes: TokenLifetimes | None = None,
        password_workers: int = 0,
        password_queue: int = 32,
        membership_grace_ms: int = MEMBERSHIP_GRACE_MS,
        **engine_kwargs: Any,
    ) -> Store:
        """Open (and create if needed) the database at ``url`` and start the writer.

        ``on_committed(messages)`` runs on the event loop after each group commit
        with the fresh messages, in seq order per circle. ``on_changes(changes)``
        runs after each other write transaction that changed a circle, with the
        changes it logged, in rev order. ``token_lifetimes`` (ms: ``token_idle_ms``,
        ``token_max_ms``, ``token_touch_ms``) are how long sessions last (`Accounts`);
        ``password_workers`` and ``password_queue`` bound the argon2 pool (`Passwords`).
        ``membership_grace_ms``: how long a member whose paid term ended stays,
        read-only, before housekeeping removes them (store/terms.py).
        """
        db = await open_database(url, **engine_kwargs)
        db.on_changes = on_changes
        commit_queue = CommitQueue(db, on_committed, batch_max)
        commit_queue.start()
        return cls(
            db,
            commit_queue,
            password_time_cost,
            token_lifetimes,
            password_workers,
            password_queue,
            membership_grace_ms,
        )

    @property
    def on_notifications(self) -> Callable[[list[Record]], None] | None:
        """Told, after each commit, the notifications it made (settable after opening)."""
        return self.db.on_notifications

    @on_notifications.setter
    def on_notifications(self, listener: Callable[[list[Record]], None] | None) -> None:
        self.db.on_notifications = listener

    @property
    def on_changes(self) -> OnChanges | None:
        """Told, after each commit, the changes it logged (settable after opening)."""
        return self.db.on_changes

    @on_changes.setter
    def on_changes(self, listener: OnChanges | None) -> None:
        self.db.on_changes = listener

    async def ping(self) -> bool:
        """True when the database answers (for /healthz)."""
        return await self.db.ping()

    async def close(self) -> None:
        """Commit what is queued, stop the writer, dispose the engine."""
        try:
            await self._commit_queue.close()
        finally:
            self.accounts.passwords.close()
            await self.db.dispose()


async def migrate_database(url: str) -> str | None:
    """Bring the database at ``url`` to the latest schema (``Store.open`` does it
    too); returns the revision it is at."""
    db = await open_database(url)
    try:
        async with db.engine.connect() as conn:
            return await conn.run_sync(current_revision)
    finally:
        await db.dispose()


__all__ = [
    "ATTACHMENTS_LIST_DEFAULT",
    "ATTACHMENTS_LIST_MAX",
    "ATTACHMENTS_PER_OWNER",
    "ATTACHMENT_ID_MAX",
    "ATTACHMENT_KINDS",
    "AUDIT_PAGE_MAX",
    "CHANGE_KINDS",
    "CHECKIN_TEXT_MAX",
    "EDIT_WINDOW_MS",
    "EMAIL_ADDRESS_MAX",
    "EMOJI_MAX",
    "EMOJI_PER_TARGET",
    "EXPORT_KINDS",
    "FOLLOWERS_PAGE_MAX",
    "GROUP_ACCESS",
    "GROUP_MEMBERS_MAX",
    "GROUP_NAME_MAX",
    "GROUP_ROLES",
    "GROUP_SLOW_MODE_MAX_S",
    "GROUP_TOPIC_MAX",
    "LESSON_DESCRIPTION_MAX",
    "LESSON_DURATION_MAX_MIN",
    "LESSON_REMIND_MAX_MIN",
    "LESSON_TITLE_MAX",
    "LESSON_URL_MAX",
    "MAIL_DIGESTS",
    "MANAGER_ROLES",
    "MEMBERSHIP_GRACE_MS",
    "MUTED_UNTIL_LIFTED",
    "NAME_MAX",
    "NAME_QUERY_MAX",
    "NOTIFICATIONS_PAGE_MAX",
    "NOTIFICATION_KINDS",
    "NOTIFICATION_LEVELS",
    "PASSWORD_MAX",
    "PASSWORD_MIN",
    "POINT_ACTIONS",
    "POINT_PERIODS",
    "POLLS_LIST_MAX",
    "POLL_OPTIONS_MAX",
    "POLL_OPTION_MAX",
    "POLL_QUESTION_MAX",
    "PUSH_ENDPOINT_MAX",
    "PUSH_LABEL_MAX",
    "REACTIONS_RANGE_MAX",
    "RECALL_WINDOW_MS",
    "REPORTS_PAGE_MAX",
    "REPORT_NOTE_MAX",
    "REPORT_OUTCOMES",
    "REPORT_REASONS",
    "REPORT_TARGET_KINDS",
    "REPORT_TEXT_MAX",
    "ROLES",
    "RSVP_ANSWERS",
    "SEARCH_KINDS",
    "SEARCH_PAGE_MAX",
    "SEARCH_QUERY_MAX",
    "SECTION_KEYS",
    "WEBHOOK_EVENTS",
    "AccessCodes",
    "AccountDeletion",
    "AccountExport",
    "Accounts",
    "Addressed",
    "Attachments",
    "Audit",
    "BlobStore",
    "Busy",
    "Challenges",
    "Change",
    "ChangePage",
    "Changes",
    "Chat",
    "CheckIns",
    "CheckinFeatures",
    "Circles",
    "Comments",
    "CommitStats",
    "Conflict",
    "Contests",
    "DeletedCircles",
    "Demo",
    "Digests",
    "Follows",
    "Forbidden",
    "Gatherings",
    "GeneralChat",
    "GroupAccess",
    "Groups",
    "Homework",
    "Invalid",
    "JoinRequests",
    "Lessons",
    "LocalBlobs",
    "MailSettings",
    "Membership",
    "Memberships",
    "MessageEdits",
    "MustReads",
    "NotFound",
    "NotificationSettings",
    "Notifications",
    "Outcome",
    "Payments",
    "Pins",
    "Points",
    "Polls",
    "Posts",
    "PushSubscriptions",
    "Reactions",
    "Reads",
    "Record",
    "Reports",
    "Retention",
    "S3Blobs",
    "Sanctions",
    "Search",
    "Stars",
    "Store",
    "StoreError",
    "Terms",
    "TokenLifetimes",
    "Unauthenticated",
    "WebhookDue",
    "WebhookOutcome",
    "Webhooks",
    "clean_name",
    "mention_starts",
    "migrate_database",
    "new_id",
    "now_ms",
    "public_attachment",
    "public_notification",
    "record_act",
    "shared_post",
    "token_hash",
    "voice_refusal",
]
