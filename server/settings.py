"""Every limit and knob of the server, read from ``QUANZI_*`` environment variables.

One place, so an operator can see what can be tuned and why each default is what it is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    # PORT (Procfile, PaaS) wins over QUANZI_PORT's default.
    port: int = 8000
    # The embedded default keeps its SQLite file here.
    data_dir: Path = Path("data")
    # Any SQLAlchemy async URL; empty means SQLite in data_dir.
    database_url: str = ""
    # Empty means the in-process broker (single node). redis://host:port/db is one
    # Redis; redis+cluster://host:port,host:port (seeds) a Redis Cluster, where
    # circles map to shards by sharded pub/sub (server/redis_client.py).
    redis_url: str = ""

    # -- all cores of one machine (server/workers.py) ---------------------------
    # Worker processes serving the one port; 0 picks the number of cores this
    # process may run on when a Redis URL is set (the workers share circles
    # through it), and 1 without one (the in-process broker cannot share them).
    workers: int = 0
    # The cluster-wide background jobs (server/housekeeping.py: pin expiry,
    # retention, reminders, away notifications, digests; the webhook sender).
    # Once per deployment is enough and N copies would only race for the same
    # rows: of N workers only worker 0 keeps this as set; with several machines,
    # turn it off on all but one.
    background_jobs: bool = True
    # Set by the supervisor for each worker it starts (operators leave them alone):
    # its index (-1: not one of a set), the listening socket it inherited, the pipe
    # it says "ready" on, and the folder where workers leave their /metrics.
    worker_index: int = -1
    listen_fd: int = -1
    ready_fd: int = -1
    metrics_dir: str = ""
    # How often a worker of a set leaves its metrics for the others to serve (any
    # worker answers a scrape, with every worker's series): well under the usual
    # 15 s scrape interval, and one exposition costs about a millisecond.
    metrics_snapshot_s: float = 2.0
    # A worker that dies sooner than worker_restart_max_s after its start is
    # restarted after a pause, worker_restart_min_s the first time and doubling
    # up to worker_restart_max_s (a worker that cannot start, e.g. the database
    # is away, does not spin a core); one that ran longer is restarted at once.
    worker_restart_min_s: float = 0.5
    worker_restart_max_s: float = 30.0
    # A rolling restart (SIGHUP) waits this long at most for each new worker to
    # serve before it stops the next: start-up (the store, Redis, the web bundle)
    # takes a second or two, more on a loaded machine.
    worker_start_timeout_s: float = 30.0

    # -- several nodes (QUANZI_REDIS_URL set) ---------------------------------
    # Prefix of every Redis channel and key: deployments (and test runs) can
    # share one Redis without hearing each other.
    redis_prefix: str = "quanzi:"
    # This node's name in Redis (presence, logs); empty picks a random one per start.
    node_id: str = ""
    # A message that arrives before the one it follows is held this long for the
    # missing one (pub/sub between nodes reorders rarely and by well under a ms
    # on a LAN) before the gap is filled from the store.
    reorder_wait_ms: int = 100
    # How often a node compares each followed circle's last seq and last event rev
    # in the store with what it delivered: a message or event whose publication
    # was lost (its node died between commit and publish) reaches members within
    # about this long.
    tail_check_s: float = 2.0
    # Reconnects to Redis back off exponentially up to this.
    redis_backoff_max_s: float = 2.0
    # A node that stops refreshing its presence (killed, cut off) is forgotten
    # after this long, with its members (the contract allows 60 s).
    presence_ttl_s: float = 30.0
    # The chat rate limit is one bucket per user in Redis; a node takes tokens
    # from it in leases of this many seconds' worth at the user's rate (at least
    # one) and lets what it has not spent by then lapse: one round trip per lease
    # instead of one per say (the hot path), and a user spread over nodes gets at
    # most rate x this beyond the limit (2.5 says at the defaults).
    say_lease_s: float = 0.25
    # A lease request that Redis has not answered in this long (or Redis down)
    # makes the node limit says in its own buckets for redis_backoff_max_s: a say
    # never waits on a stalled Redis for longer.
    say_lease_timeout_s: float = 0.5

    # Web pages of other origins that may open /ws, comma-separated ("*": any
    # page). The server's own origin (the host the upgrade came to) and clients
    # that send no Origin (not browsers) are always allowed: see server/origins.py.
    # Empty by default: a page elsewhere has no business driving a visitor's
    # browser into this server; list the origins of any other client you host.
    allowed_origins: str = ""

    # The web client as one script and one stylesheet, named by their content's hash
    # (cached for a year, gzip-compressed), built from web-client/ when the server
    # starts and again when a file there changes (server/web_client.py). Off
    # (QUANZI_WEB_BUNDLE=0): the page loads the ES modules as they are, for
    # stepping through them in a browser's debugger.
    web_bundle: bool = True

    # When set, /metrics answers only `Authorization: Bearer <this>`. When empty,
    # it answers only requests from loopback: the metrics name no user but show
    # load, connection counts and errors, which is reconnaissance for anyone on
    # the internet; a scraper on the same machine (or the load-test harness,
    # loadtests/serverstats.py) needs no setup. Behind a reverse proxy on the same
    # machine that does not send X-Forwarded-For, every request looks local: set
    # a token there (or block /metrics at the proxy).
    metrics_token: str = ""

    # -- on the open internet (server/admission.py, server/http_protocol.py) -----
    # Peers whose client-address header is believed: a reverse proxy (addresses
    # or networks, comma-separated; "*": any). Loopback by default, as uvicorn's
    # own default: a proxy on the same machine works without setup, and nobody
    # on the internet connects from loopback. A trusted peer's connection counts
    # for the address in the header; without the header it counts for no address
    # (it is the proxy itself, or a tool on this machine).
    trusted_proxies: str = "127.0.0.1,::1"
    # The header a trusted proxy puts the client's address in. X-Forwarded-For
    # is read from the right: the last address no trusted proxy holds.
    client_ip_header: str = "X-Forwarded-For"
    # A request head (request line and headers; for /ws the upgrade) must arrive
    # whole within this long of the connection or of the request's first byte.
    # A real head is a few hundred bytes and arrives in one round trip; a client
    # trickling it (slowloris) holds a connection for nothing.
    head_timeout_s: float = 10.0
    # Bytes of one request head: browsers send 1-2 KiB; 16 KiB (Node's limit)
    # leaves room for long tokens and proxies' headers, and bounds what a half-
    # sent head may hold in memory. Past it: 431.
    head_bytes: int = 16384
    # Header fields of one request: browsers send about 15. Past it: 431.
    head_fields: int = 100
    # Connections from one address whose first head has not arrived yet. People
    # behind one NAT open a handful at a time (a browser, at most 6 per host),
    # each finished in milliseconds; more than this at once is a flood. Past it
    # the connection is closed at once (429). An IPv6 address counts as its /64.
    ip_pending_connections: int = 32
    # Open connections (HTTP keep-alive and WebSockets) from one address: room
    # for an office or a school behind one NAT (a hundred people with a socket
    # and a keep-alive connection each), not for one client holding the node's
    # files. Past it: 429.
    ip_connections: int = 256
    # Open WebSockets of one user on this node: tabs, a phone, a laptop. Past it
    # the `hello` gets `rate_limited` and the socket is closed with 4029.
    user_sockets: int = 32
    # Open connections this node accepts; past it a new one is closed at once
    # (503). 0: the open-file limit (raised at start to its hard limit) less
    # fd_reserve.
    connections_max: int = 0
    # Files kept free of connections for the store (SQLite's three files, a
    # PostgreSQL pool), Redis, logs, static files and media, and so /healthz
    # and members' requests still find a file while a flood is refused.
    fd_reserve: int = 512

    # -- abuse limits: token buckets per IP and per user -------------------------
    # Held across nodes through Redis (leases, like chat's) when QUANZI_REDIS_URL
    # is set, per node otherwise. A refusal is a 429 `rate_limited` with
    # Retry-After (over /ws: an `error` frame `rate_limited`). The client address
    # is server/client_address.py's client_ip (an IPv6 address counts as its /64).
    #
    # Every HTTP request of one IP (/healthz and /metrics aside): a page load is a
    # few dozen requests and a busy client a few a second, so only a flood meets it.
    http_rate_per_s: float = 50.0
    http_burst: int = 200
    # Signups of one IP: a family or a classroom behind one address can set up a
    # handful of accounts at once, then one a minute; a script cannot mint
    # thousands of accounts to spread its other limits over.
    signup_rate_per_min: float = 1.0
    signup_burst: int = 5
    # Login attempts of one IP, right or wrong: 10 at once, then one every 2 s.
    login_rate_per_min: float = 30.0
    login_burst: int = 10
    # Failed logins are counted per (account, IP), per IP and per account, each
    # forgotten login_failure_window_s after its last failure. Past the first
    # threshold an account's logins from that IP wait (429) login_backoff_base_s,
    # doubling with each further failure up to login_backoff_max_s; past the
    # second, every login of that IP waits the same way. Past the third (a guess
    # spread over many IPs) every IP that has failed on the account waits, but an
    # IP that has not failed on it never does: an attacker cannot lock the real
    # user out. A success clears its (account, IP) count. 5 covers typos and a
    # forgotten caps lock; 20 covers a few people sharing an address.
    login_failures_per_account_ip: int = 5
    login_failures_per_ip: int = 20
    login_failures_per_account: int = 50
    login_failure_window_s: float = 900.0
    login_backoff_base_s: float = 1.0
    login_backoff_max_s: float = 300.0
    # Writes over HTTP per user (every POST, PUT, PATCH and DELETE with a token:
    # posts, comments, likes, pins, joins...): people click, they do not stream.
    write_rate_per_s: float = 2.0
    write_burst: int = 30
    # Circles created per user, on top of the write limit: each is a room with
    # its own stream and fan-out, and nobody founds more than a few a day.
    circle_rate_per_min: float = 0.2
    circle_burst: int = 5
    # Reports filed per user, on top of the write limit: each lands in a queue
    # people read one by one, and nobody reports more than a few things an hour.
    report_rate_per_min: float = 0.5
    report_burst: int = 10
    # Exports of one's own data per user: each reads everything the user ever
    # wrote and streams it as a ZIP; a person needs one now and then, not a
    # stream of them (three in a row, then one every ten minutes).
    export_rate_per_min: float = 0.1
    export_burst: int = 3
    # /ws frames other than say and ping (join, history, star, unstar, read) per
    # user: a reconnect rejoins every circle at once (the burst), scrolling
    # sends reads and history pages; a flood of stars no longer crowds the store.
    frame_rate_per_s: float = 20.0
    frame_burst: int = 100
    # argon2 runs in this many threads (0: one fewer than the cores, at least
    # one), so a login flood leaves a core to the event loop and its members.
    password_workers: int = 0
    # Hashes waiting for a thread; past it signup and login answer 429 with
    # Retry-After at once rather than queueing without end.
    password_queue: int = 32

    # The contract's frame limit; uvicorn refuses bigger frames with 1009.
    frame_bytes: int = 65536
    # A chat line, not a document: long texts belong in posts.
    text_chars: int = 4000
    # Its author takes a chat message back ("recall") within this long of saying
    # it, as DingTalk and WeChat users expect (2 minutes); later, only the
    # circle's owners and admins delete it. Sent in welcome's limits.
    recall_window_s: float = 120.0
    # Its author corrects a chat message's text within this long (shown as
    # edited): a day covers a typo noticed the next morning, while a week-old
    # message that others answered cannot be rewritten under them.
    edit_window_s: float = 86400.0
    # The contract's hello deadline.
    hello_timeout_s: float = 10.0
    # Sent in welcome; clients ping about this often.
    heartbeat_s: int = 25
    # A connection silent this long gets a transport ping; one still silent
    # after another interval is dropped (peers that vanished without a close).
    ping_interval_s: float = 30.0
    # Frames waiting for one client: about 10 s of a busy circle. Past it the
    # client is too slow and is closed with 4009 so it cannot hold memory or
    # slow anyone else; it resumes with `since`.
    send_queue_frames: int = 1024
    # Chat is typed by people: ~10 messages/s with bursts of 20 per user, over
    # all of the user's sockets and (with Redis) nodes.
    say_rate_per_s: float = 10.0
    say_burst: int = 20
    # Revoked tokens a node remembers (~150 bytes each): a hello registered just
    # after its token's logout reached the node is caught by them. The count
    # bounds memory only: a hello that waited on the store through more logouts
    # than this reads the store again.
    revoked_tokens_kept: int = 10000
    # What a chat join needs, kept on the node (server/join_cache.py): members'
    # standing in their circles and each circle's general chat settings, the least
    # recently used dropped past this many entries (about 200 bytes each: 20 MB at
    # the default, enough for 100,000 connected members in one circle each).
    join_cache_size: int = 100000
    # The contract: more than 20 bad frames in 10 s closes with 4008.
    bad_frames_max: int = 20
    bad_frames_window_s: float = 10.0
    # Says of one connection waiting for their commit; past it the session stops
    # reading until one is acknowledged (back-pressure instead of memory).
    says_in_flight: int = 256
    # History pages (contract: limit <= 200, default 50).
    history_default: int = 50
    history_max: int = 200
    # Replay on join is read from the store in pages of this size.
    replay_page: int = 500
    # Presence pushes at most once a second per circle (contract).
    presence_interval_s: float = 1.0
    # A connection says it is typing in a group at most this often (more are
    # dropped): a typing line needs one hint every few seconds, never stored.
    typing_interval_s: float = 3.0
    # "Read by N" under a message: read markers are pushed (`read`, at most once
    # a second per member and group) and listed (GET /groups/{id}/reads) only
    # for groups of at most this many members; beyond, counts would cost more
    # than they tell.
    read_receipts_max_members: int = 500
    read_push_interval_s: float = 1.0

    # Group commit: at most this many says in one transaction. Big enough to
    # amortise a commit over a burst, small enough to keep ack latency low.
    commit_batch_max: int = 1000
    # argon2 time cost; 2-3 for production; load tests may lower it.
    password_time_cost: int = 2
    # A session (bearer token) unused this long ends: a forgotten laptop or a
    # leaked token stops working within a month, while anyone who opens the app
    # now and then is never logged out.
    token_idle_days: float = 30.0
    # And however much it is used, it ends this long after its login: a stolen
    # token kept alive by its thief does not last for ever.
    token_max_days: float = 180.0
    # A token's last use is written only when older than this: authenticate runs
    # on every HTTP request and every hello, and one write a day per session is
    # nothing, while one per request would be. The idle expiry is that much fuzzy.
    token_touch_hours: float = 24.0
    # Expired token rows are deleted this often (in retention_batch-sized
    # transactions): they already fail to authenticate, so this is only tidying.
    token_prune_interval_s: float = 3600.0
    # Time allowed to drain and close sockets on shutdown before uvicorn's own
    # close takes over.
    shutdown_grace_s: float = 5.0

    # Pins with an expiry (`until`) are checked this often: a pin outlives its
    # time by at most this much, and the check is one indexed query.
    pin_check_s: float = 1.0
    # A member whose paid term ended (store/terms.py) may still read this long
    # before they are removed: a week to renew, as paid communities give (a late
    # payment, a holiday), without a lapsed member staying for good. Fixed into
    # each membership when its end is set.
    membership_grace_s: float = 7 * 86400.0
    # How often housekeeping removes the members whose grace is over: a minute
    # against a week is close enough, and the look-up is one indexed query.
    membership_check_s: float = 60.0
    # Members removed per run of that check (each in its own short transaction).
    membership_batch: int = 100
    # How often housekeeping sends the reminders that are due (an event's, a
    # lesson's, homework's, a check-in's): each is sent once, within this much
    # of its time.
    reminder_check_s: float = 30.0
    # How often housekeeping hands the notifications that are due to the channels
    # that reach members who are away (server/away.py: Web Push, email): a
    # mention reaches a closed page within about this long, and quiet hours end
    # for it at most this late. The scan is two indexed queries.
    away_check_s: float = 10.0
    # Notifications handed to the away channels per scan (a burst of @all in a big
    # circle goes out in several).
    away_batch: int = 500
    # Live lessons' embeddable players: the origins the page may show in a frame
    # (CSP frame-src, server/security_headers.py), space-separated, each
    # "https://host", "https://*.domain" or a scheme ("https:"). A teacher's
    # player elsewhere is refused as a frame (given as a link instead): framed
    # pages of unknown sites on a circle's page are a phishing surface. The
    # defaults are the common streaming players; "" frames nothing.
    frame_sources: str = (
        "https://player.bilibili.com https://player.youku.com https://v.qq.com "
        "https://www.youtube-nocookie.com https://www.youtube.com https://player.vimeo.com"
    )
    # The payment webhook (server/api/payments.py, docs/payments.md) answers only
    # when this secret, shared with the payment provider or shop, is set: empty,
    # it is off (404). Requests are signed with HMAC-SHA256 over it.
    payment_webhook_secret: str = ""
    # A signed request older (or newer) than this is refused: a captured call
    # cannot be replayed later. Five minutes covers clock drift and a retry.
    payment_webhook_tolerance_s: int = 300

    # -- members who are away: Web Push (server/webpush.py) ----------------------
    # The VAPID key pair (RFC 8292) that signs every push: made on first start and
    # kept in this file (mode 0600); empty: data_dir/vapid-private.pem. Browsers
    # subscribed with its public key, so a new key silences every subscription:
    # keep the file (with several nodes, point them all at one copy).
    vapid_key_file: str = ""
    # Who push services may contact about this server's pushes (the VAPID `sub`):
    # "mailto:ops@example.org" or an https URL. Empty: mailto: the mail_from address,
    # else the public_url.
    vapid_subject: str = ""
    # Pushes one user gets per minute, over all their devices' subscriptions (a
    # push per device counts once): a busy circle must not buzz a phone without
    # end. Past it the rest wait and go as one "N new notifications" push when
    # the minute is over.
    push_per_minute: int = 6
    # That minute (tests shorten it).
    push_window_s: float = 60.0
    # Deliveries waiting for the sender (each a user's batch of notifications):
    # past it new ones are dropped and logged; the inbox still has them.
    push_queue: int = 10000
    # Pushes sent at once (each one HTTPS request to a push service).
    push_concurrency: int = 8
    # A push refused with a 5xx or 429, or lost to the network, is tried this many
    # times in all, waiting push_backoff_s, then twice that, and so on (a push
    # service's Retry-After is honoured up to push_backoff_max_s).
    push_attempts: int = 4
    push_backoff_s: float = 2.0
    push_backoff_max_s: float = 60.0
    # One request to a push service: the big ones answer in well under a second.
    push_timeout_s: float = 10.0
    # How long a push service keeps a push for a device that is offline: a day;
    # older news is in the inbox.
    push_ttl_s: int = 86400
    # Devices of one user that get pushes (phone, laptops, tablets, browsers).
    push_devices_max: int = 20
    # Subscriptions must be https (every browser's push service is). For the tests'
    # own push endpoint only: also allow http://127.0.0.1.
    push_allow_loopback_http: bool = False

    # -- members who are away: email (server/mailer.py, server/digests.py) --------
    # Without an SMTP host, email is off: no digests, no must-read mail, and the
    # settings page says so.
    smtp_host: str = ""
    # 587 with starttls (submission), 465 with ssl, 25 with none (a local relay).
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    # starttls, ssl or none.
    smtp_security: str = "starttls"
    # The From of every mail, e.g. "Quanzi <quanzi@example.org>".
    mail_from: str = ""
    # The site's address as members reach it ("https://quanzi.example.org"): the
    # links in mails (unsubscribe, verify, open the circle) start with it.
    public_url: str = ""
    # The key that signs the links of mails (unsubscribe, verify an address): made
    # on first start and kept in this file (mode 0600); empty:
    # data_dir/mail-links.key. Several nodes: one copy for all.
    mail_key_file: str = ""
    # Digests go out at this hour of the member's own day (their zone), weekly
    # ones on this day of the week (1 Monday ... 7 Sunday): the morning's news.
    digest_hour: int = 8
    digest_weekday: int = 1
    # How often the digest job looks for digests that are due: five minutes late
    # is nothing for a daily mail.
    digest_check_s: float = 300.0
    # A mail the SMTP server refused for a while (4xx) or that the network lost is
    # tried this many times in all, waiting mail_backoff_s, then twice that...
    # Then it is logged as lost (a digest's period is tried again next run).
    mail_attempts: int = 4
    mail_backoff_s: float = 30.0
    # Mails waiting for the sender; past it new ones are dropped and logged.
    mail_queue: int = 10000
    # One SMTP conversation.
    smtp_timeout_s: float = 30.0

    # -- webhooks and bots (store/webhooks.py, server/webhook_sender.py) ------
    # A receiver gets this long to answer a delivery: long enough for a slow CI
    # server, short enough that one dead receiver does not hold a sender up.
    webhook_timeout_s: float = 10.0
    # Tries of one delivery (the first included) before it is given up as failed,
    # and the wait before the second (doubling each time): 10 s, 20, 40, 80, 160 —
    # a receiver restarted within about five minutes misses nothing.
    webhook_attempts: int = 6
    webhook_backoff_s: float = 10.0
    # Failed tries in a row (any delivery of the webhook) that disable it, and its
    # circle's owners and admins are told: a dead receiver stops costing tries.
    webhook_disable_after: int = 20
    # How often each node's sender looks for due deliveries, and how many it takes
    # at a time (sent concurrently). A second keeps deliveries near real time at
    # the cost of one indexed query a second.
    webhook_poll_s: float = 1.0
    webhook_batch: int = 20
    # A claimed delivery is the claiming node's this long (past the timeout): a
    # node that dies meanwhile lets another take it over after this.
    webhook_lease_s: float = 60.0
    # Settled deliveries stay in the delivery log this long.
    webhook_log_days: float = 7.0
    # Webhook URLs must be https to public addresses (no loopback, private or
    # link-local: the server must not be a way into its own network). On, http and
    # loopback receivers are allowed too: tests, and an operator's own machine.
    webhook_allow_loopback: bool = False
    # Posts through one incoming webhook URL, per minute, with a burst: a shop or
    # CI system announces, it does not flood a circle's chat.
    incoming_hook_rate_per_min: float = 30.0
    incoming_hook_burst: int = 10

    # Chat retention runs this often. A minute keeps the history close to the
    # circle's limits without the pruner touching the database all the time.
    retention_interval_s: float = 60.0
    # Rows deleted per retention transaction: small, so a backlog is cleared in
    # short write locks that let chat's group commits through in between.
    retention_batch: int = 500
    # Pause between two retention batches of one run, for the same reason.
    retention_pause_s: float = 0.05
    # The change log (what a client catches up from after a reconnect) keeps this
    # many days: a client away longer reloads the circle (`reset`) instead of
    # replaying a month of likes. The newest change of each circle always stays.
    change_log_days: float = 30.0
    # A member's inbox keeps this many days of notifications, read or not.
    notification_days: float = 90.0

    # -- media (server/api/uploads.py, store/blobs.py) ----------------------------
    # Empty: blobs live on the local disk under data_dir/blobs (the embedded
    # default). Set, with a bucket and keys: any S3-compatible object storage
    # (AWS S3, MinIO, Ceph, R2), so several nodes share media. The URL is the
    # endpoint (https://s3.eu-west-1.amazonaws.com, http://minio:9000).
    s3_url: str = ""
    s3_bucket: str = "quanzi"
    s3_access_key: str = ""
    s3_secret_key: str = ""
    # Ignored by most non-AWS stores; AWS signs requests for a region.
    s3_region: str = "us-east-1"
    # Parts of a multipart upload to S3: 8 MiB is the part size the AWS tools use,
    # above S3's 5 MiB minimum (smaller values are raised to it). Memory does not
    # follow it: each part is read from the spooled file 1 MiB at a time.
    s3_part_bytes: int = 8 * 1024 * 1024
    # Per-file limits by kind, checked while the body streams in (413 as soon as
    # one passes). A phone photo is 3-12 MB, a RAW-ish one up to 50; a dance
    # school's phone video of several minutes is a few hundred MB, 2 GB leaves
    # room for long 4K clips; a voice note or a song is well under 200 MB; a
    # teacher's slides or a scanned PDF fit in 200 MB.
    upload_image_bytes: int = 50 * 1024 * 1024
    upload_video_bytes: int = 2 * 1024 * 1024 * 1024
    upload_audio_bytes: int = 200 * 1024 * 1024
    upload_file_bytes: int = 200 * 1024 * 1024
    # What one circle may store (all its attachments, a deduplicated blob
    # counted once per row that names it): 20 GB is about a hundred phone videos
    # or thousands of photos, enough for a school's term; an operator raises it.
    circle_quota_bytes: int = 20 * 1024 * 1024 * 1024
    # What one person may upload, over every circle: 5 GB keeps one member from
    # filling a disk shared by every circle of the server.
    user_quota_bytes: int = 5 * 1024 * 1024 * 1024
    # Thumbnails: the longest side, in pixels; 480 fills a phone's chat bubble
    # at 2x density and weighs 20-60 KB as WebP.
    thumb_px: int = 480
    # Images with more pixels than this are stored as files (no thumbnail), and
    # videos get no poster: decoding one costs width x height x 4 bytes of
    # memory (~ 400 MB here).
    image_pixels_max: int = 100_000_000
    # Media keys (server/media/keys.py): what an <img> or <video> URL carries
    # instead of the bearer token. A key is handed out for half this long and
    # then lives out the rest, so one handed out has 6 to 12 hours left: a film
    # watched or a page left open for an evening keeps loading and seeking, a
    # URL copied from a log or a shared screen stops working by the next day,
    # and one key per session and window keeps the browser's cache hitting.
    media_key_ttl_s: int = 12 * 3600
    # A resumable (tus) upload nobody continued for this long is removed with its
    # partial bytes: a day lets a phone finish a video after a night offline;
    # an abandoned one holds disk space no longer than that.
    upload_expire_s: float = 86400.0
    # How often housekeeping looks for them: ten minutes, against a day.
    upload_expire_check_s: float = 600.0
    # An attachment nothing uses (its message pruned by retention, its post
    # deleted, or never sent) is deleted with its blobs this long after its last
    # upload: a day, as for an unfinished resumable upload. Highlights keep theirs.
    attachment_grace_s: float = 86400.0
    # How often housekeeping looks for them.
    attachment_collect_s: float = 600.0
    # Resumable uploads one person may have open at once: each may reserve up to
    # the kind's limit on disk before it is finished (a family sharing a phone's
    # album sends a few at a time).
    upload_open_max: int = 20

    @property
    def store_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'quanzi.db'}"

    @classmethod
    def from_env(cls) -> Settings:
        base = cls()
        # Any, not object: _convert gives each value its field's type (the type of the
        # field's default), which mypy cannot follow through a dict keyed by name.
        changes: dict[str, Any] = {}
        for f in fields(cls):
            raw = os.environ.get(f"QUANZI_{f.name.upper()}")
            if raw is None:
                continue
            current = getattr(base, f.name)
            changes[f.name] = _convert(raw, current)
        if "PORT" in os.environ and "QUANZI_PORT" not in os.environ:
            changes["port"] = int(os.environ["PORT"])
        return replace(base, **changes)


def _convert(raw: str, current: object) -> object:
    if isinstance(current, bool):
        return raw.lower() in ("1", "true", "yes", "on")
    if isinstance(current, int):
        return int(raw)
    if isinstance(current, float):
        return float(raw)
    if isinstance(current, Path):
        return Path(raw)
    return raw
