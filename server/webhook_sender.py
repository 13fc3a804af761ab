"""A node's webhook sender: delivers what the outbox holds (store/webhook_outbox.py),
off the request path.

Every node runs one. Each round it claims up to ``webhook_batch`` due deliveries
(a claim is a lease in the row: two nodes never send one delivery at once, and a
node that dies lets its claims lapse to another), posts them concurrently, and
settles each: 2xx delivered; anything else (a status, a timeout, a refused
address) tried again after an exponential backoff until ``webhook_attempts``,
then failed. ``webhook_disable_after`` failed tries in a row disable the webhook;
the store audits it and reminds the circle's owners and admins.

A delivery is a POST of the JSON body with ``Content-Type: application/json``,
``Quanzi-Event``, ``Quanzi-Delivery`` (the same id on every retry: receivers drop
repeats by it) and ``Quanzi-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
"<t>.<body>" with the webhook's secret>`` — the payment webhook's scheme
(server/api/payments.py), so one verifier serves both (docs/webhooks.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

import httpx

from store import Store, WebhookDue, WebhookOutcome, new_id, now_ms

from .api.payments import signature
from .settings import Settings
from .webhook_urls import RefusedTarget, check_target

log = logging.getLogger(__name__)

USER_AGENT = "Quanzi-Webhooks/1"
PRUNE_EVERY_S = 600.0


class WebhookSender:
    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.claim_id = f"{settings.node_id or 'node'}-{new_id()}"[:32]
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None
        self._pruned = 0.0

    def start(self) -> None:
        self._client = httpx.AsyncClient(
            follow_redirects=False,
            timeout=self.settings.webhook_timeout_s,
            headers={"user-agent": USER_AGENT},
        )
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Let the round in progress settle what it sent, then close."""
        self._stop.set()
        if self._task is not None:
            _, pending = await asyncio.wait([self._task], timeout=self.settings.shutdown_grace_s)
            for task in pending:
                task.cancel()
        if self._client is not None:
            await self._client.aclose()

    async def _run(self) -> None:
        while not self._stop.is_set():
            try:
                sent = await self.send_due()
                await self._prune()
            except Exception:
                log.exception("webhook round failed; trying again")
                sent = 0
            if not sent:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.settings.webhook_poll_s):
                        await self._stop.wait()

    async def send_due(self) -> int:
        """One round: claim, send, settle; how many deliveries were tried."""
        s = self.settings
        due = await self.store.webhooks.claim(
            self.claim_id, int(s.webhook_lease_s * 1000), s.webhook_batch
        )
        if due:
            await asyncio.gather(*(self._deliver(d) for d in due))
        return len(due)

    async def _deliver(self, due: WebhookDue) -> None:
        s = self.settings
        outcome = await self._post(due)
        settled = await self.store.webhooks.settle(
            due,
            self.claim_id,
            outcome,
            max_attempts=s.webhook_attempts,
            backoff_ms=int(s.webhook_backoff_s * 1000),
            disable_after=s.webhook_disable_after,
        )
        if settled.disabled is not None:
            log.warning(
                "webhook %s of circle %s disabled after failures", due.webhook_id, due.circle_id
            )

    async def _post(self, due: WebhookDue) -> WebhookOutcome:
        assert self._client is not None
        try:
            await check_target(due.url, self.settings.webhook_allow_loopback)
        except RefusedTarget as refused:
            return WebhookOutcome(False, None, str(refused))
        body = due.body.encode()
        stamp = int(time.time())
        headers = {
            "content-type": "application/json",
            "quanzi-event": due.event,
            "quanzi-delivery": due.id,
            "quanzi-signature": f"t={stamp},v1={signature(due.secret, stamp, body)}",
        }
        try:
            answer = await self._client.post(due.url, content=body, headers=headers)
        except httpx.TimeoutException:
            return WebhookOutcome(False, None, "timed out")
        except httpx.HTTPError as failed:
            return WebhookOutcome(False, None, f"{type(failed).__name__}: {failed}"[:300])
        if 200 <= answer.status_code < 300:
            return WebhookOutcome(True, answer.status_code)
        return WebhookOutcome(False, answer.status_code, f"HTTP {answer.status_code}")

    async def _prune(self) -> None:
        now = time.monotonic()
        if now - self._pruned < PRUNE_EVERY_S:
            return
        self._pruned = now
        before = now_ms() - int(self.settings.webhook_log_days * 86_400_000)
        while await self.store.webhooks.prune(before):
            pass
