// Reports in the client's store: report.filed and report.resolved keep a circle's open
// count (the managers' badge), and only the reporter is told the outcome of their report.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EV } from '../../web-client/js/store/names.js';
import { applyEvent } from '../../web-client/js/store/events.js';
import * as reports from '../../web-client/js/store/reports.js';
import * as state from '../../web-client/js/store/state.js';

function event(kind, fields) {
  return { t: 'event', circle: 'c1', rev: 1, ts: 1, kind, ...fields };
}

test('the open count follows the events and the reporter alone hears the outcome', () => {
  state.session.user = { id: 'me', name: 'Ann' };
  const outcomes = [];
  const counts = [];
  const offs = [
    state.on(EV.reportOutcome, (d) => outcomes.push(d.report.outcome)),
    state.on(EV.reportsChanged, (d) => counts.push([d.circle, reports.openOf(d.circle)])),
  ];
  assert.equal(reports.openOf('c1'), null);
  applyEvent(event('report.filed', { report: { id: 'r1', status: 'open' }, open: 1 }));
  applyEvent(event('report.resolved', { report: { id: 'r0', status: 'resolved', outcome: 'deleted' }, reporter: 'someone', open: 1 }));
  applyEvent(event('report.resolved', { report: { id: 'r1', status: 'resolved', outcome: 'dismissed' }, reporter: 'me', open: 0 }));
  assert.deepEqual(counts, [['c1', 1], ['c1', 1], ['c1', 0]]);
  assert.deepEqual(outcomes, ['dismissed']);
  reports.setOpen('c1', 0); // the same count again: nothing to tell
  assert.equal(counts.length, 3);
  state.clearSession();
  assert.equal(reports.openOf('c1'), null);
  for (const off of offs) off();
});
