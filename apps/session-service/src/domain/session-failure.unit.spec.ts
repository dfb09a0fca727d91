/** Why a remote start failed (session/failure.ts): the reason in SessionFailed, the state and the stored state. */
import fc from 'fast-check';
import { SESSION_FAILURE_REASONS } from '@app/contracts';
import { toPumpSession } from '../application/session-view';
import { webhookBody } from '../application/webhooks';
import {
  UNUSABLE_CONNECTOR_STATUSES,
  failureReasonOf,
  fromStoredState,
  startFailureReason,
  toStoredState,
  type RemoteOutcome,
} from './session';
import { given } from './session.given.spec';
import { REF, requested, t } from './session.fixtures.spec';
import type { SessionEvent } from './session-events';

const failed = (reason: string): SessionEvent =>
  ({ type: 'SessionFailed', data: { ...REF, reason, failedAt: t(0.2) } }) as SessionEvent;

describe('why a remote start failed', () => {
  describe('given a requested session, when the RemoteStartTransaction answer is recorded', () => {
    it.each([
      ['Offline', { connector: null, charger: null }, 'CHARGER_OFFLINE'],
      ['Timeout', { connector: null, charger: null }, 'START_TIMEOUT'],
      ['Error', { connector: null, charger: null }, 'COMMAND_ERROR'],
      ['Rejected', { connector: null, charger: null }, 'CHARGER_REJECTED'],
      ['Rejected', { connector: 'Available', charger: 'Available' }, 'CHARGER_REJECTED'],
      ['Rejected', { connector: 'Occupied', charger: null }, 'CHARGER_REJECTED'],
      ['Rejected', { connector: 'Unavailable', charger: null }, 'CONNECTOR_UNAVAILABLE'],
      ['Rejected', { connector: 'Faulted', charger: 'Available' }, 'CONNECTOR_UNAVAILABLE'],
      ['Rejected', { connector: 'Available', charger: 'Unavailable' }, 'CONNECTOR_UNAVAILABLE'],
      // An offline charger is offline, whatever its connector said before it went.
      ['Offline', { connector: 'Unavailable', charger: null }, 'CHARGER_OFFLINE'],
    ] as const)('%s with connector %j → SessionFailed %s', (outcome, connectorStatus, reason) => {
      given(requested)
        .when({ type: 'RecordRemoteStartResult', outcome, at: t(0.2), connectorStatus })
        .then([failed(reason)]);
      given(requested)
        .when({ type: 'RecordRemoteStartResult', outcome, at: t(0.2), connectorStatus })
        .thenState((s) => {
          expect(s).toMatchObject({ status: 'FAILED', failure: { reason, failedAt: t(0.2) } });
          expect(toPumpSession(s)).toMatchObject({ status: 'FAILED', failure_reason: reason });
          const hook = JSON.parse(webhookBody('fleet.charging_session.failed', s));
          expect(hook.data.data).toMatchObject({ status: 'FAILED', failure_reason: reason });
        });
    });

    it('without the projection status, the status the session itself saw decides', () => {
      const unavailable: SessionEvent = {
        type: 'SessionConnectorStatusChanged',
        data: { ...REF, connectorStatus: 'Unavailable', at: t(0.1), receivedAt: t(0.1) },
      };
      given(requested, unavailable)
        .when({ type: 'RecordRemoteStartResult', outcome: 'Rejected', at: t(0.2) })
        .then([failed('CONNECTOR_UNAVAILABLE')]);
      given(requested)
        .when({ type: 'RecordRemoteStartResult', outcome: 'Rejected', at: t(0.2) })
        .then([failed('CHARGER_REJECTED')]);
    });
  });

  it('every non-accepted outcome with any connector statuses gives exactly one known reason, CONNECTOR_UNAVAILABLE only for a Rejected start on an unusable connector', () => {
    const status = fc.option(
      fc.constantFrom('Available', 'Preparing', 'Charging', 'Occupied', 'Reserved', 'Unavailable', 'Faulted'),
    );
    fc.assert(
      fc.property(
        fc.constantFrom<Exclude<RemoteOutcome, 'Accepted'>>('Rejected', 'Offline', 'Timeout', 'Error'),
        status,
        status,
        (outcome, connector, charger) => {
          const reason = startFailureReason(outcome, { connector, charger });
          expect(SESSION_FAILURE_REASONS).toContain(reason);
          const unusable = [connector, charger].some(
            (s) => s !== null && UNUSABLE_CONNECTOR_STATUSES.includes(s),
          );
          expect(reason === 'CONNECTOR_UNAVAILABLE').toBe(outcome === 'Rejected' && unusable);
          expect(reason === 'CHARGER_REJECTED').toBe(outcome === 'Rejected' && !unusable);
        },
      ),
    );
  });

  describe('records written before CHARGER_REJECTED existed', () => {
    it('given a SessionFailed START_REJECTED, the session reads CHARGER_REJECTED', () => {
      const s = given(requested, failed('START_REJECTED')).state;
      expect(s).toMatchObject({ status: 'FAILED', failure: { reason: 'CHARGER_REJECTED' } });
      expect(toPumpSession(s).failure_reason).toBe('CHARGER_REJECTED');
    });

    it('a stored state (version 2) saying START_REJECTED loads as CHARGER_REJECTED; other reasons unchanged', () => {
      const now = given(requested, failed('CHARGER_OFFLINE')).state;
      const stored = JSON.parse(JSON.stringify(toStoredState(now)));
      expect(fromStoredState(stored)).toEqual(now);
      const old = { ...stored, failure: { reason: 'START_REJECTED', failedAt: t(0.2) } };
      expect(fromStoredState(old)).toMatchObject({
        status: 'FAILED',
        failure: { reason: 'CHARGER_REJECTED', failedAt: t(0.2) },
      });
    });

    it('the legacy reason is read, never written: decide emits only the current reasons', () => {
      expect(failureReasonOf('START_REJECTED')).toBe('CHARGER_REJECTED');
      expect(failureReasonOf('')).toBeNull();
      expect(failureReasonOf(null)).toBeNull();
      for (const r of SESSION_FAILURE_REASONS) expect(failureReasonOf(r)).toBe(r);
    });

    it('open and finished-but-not-failed sessions have failure_reason null', () => {
      expect(toPumpSession(given(requested).state).failure_reason).toBeNull();
    });
  });
});
