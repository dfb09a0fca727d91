import { durationSeconds, effectiveMeterStart, fold } from './session';
import { nextTimerAt } from './timers';
import { given } from './session.given.spec';
import {
  FLEET_KEY,
  REF,
  TARIFF_A,
  meter,
  requestStart,
  requested,
  startTx,
  started,
  stopTx,
  t,
} from './session.fixtures.spec';
import type { SessionEvent } from './session-events';

const REF42 = { ...REF, transactionId: 42 };

describe('session aggregate', () => {
  describe('remote start', () => {
    it('a start request creates a STARTING remote session', () => {
      given().when(requestStart()).then([requested]);
      given()
        .when(requestStart())
        .thenState({ status: 'STARTING', authType: 'REMOTE', userReference: 'user-7', createdAt: t(0) });
    });
    it('a second start request for the same session is refused', () => {
      given(requested).when(requestStart()).thenThrows('SESSION_EXISTS');
    });
    it('the charger accepting RemoteStartTransaction moves it to PREPARING', () => {
      given(requested)
        .when({ type: 'RecordRemoteStartResult', outcome: 'Accepted', at: t(0.1) })
        .then([{ type: 'SessionStartAccepted', data: { ...REF, acceptedAt: t(0.1) } }]);
      given(requested)
        .when({ type: 'RecordRemoteStartResult', outcome: 'Accepted', at: t(0.1) })
        .thenState({ status: 'PREPARING' });
    });
    it.each([
      ['Rejected', 'CHARGER_REJECTED'],
      ['Offline', 'CHARGER_OFFLINE'],
      ['Timeout', 'START_TIMEOUT'],
      ['Error', 'COMMAND_ERROR'],
    ] as const)('a %s answer fails the session with %s', (outcome, reason) => {
      given(requested)
        .when({ type: 'RecordRemoteStartResult', outcome, at: t(0.2) })
        .then([{ type: 'SessionFailed', data: { ...REF, reason, failedAt: t(0.2) } }]);
      given(requested)
        .when({ type: 'RecordRemoteStartResult', outcome, at: t(0.2) })
        .thenState({ status: 'FAILED', failure: { reason, failedAt: t(0.2) } });
    });
    it('an Accepted result arriving after StartTransaction changes nothing', () => {
      given(requested, started)
        .when({ type: 'RecordRemoteStartResult', outcome: 'Accepted', at: t(2) })
        .thenNothing();
    });
    it('no StartTransaction within the start timeout fails the session', () => {
      given(requested)
        .when({ type: 'CheckTimers', now: t(2), stopGraceMinutes: 10, startTimeoutSeconds: 90 })
        .then([{ type: 'SessionFailed', data: { ...REF, reason: 'START_TIMEOUT', failedAt: t(2) } }]);
      given(requested)
        .when({ type: 'CheckTimers', now: t(1), stopGraceMinutes: 10, startTimeoutSeconds: 90 })
        .thenNothing();
    });
  });

  describe('StartTransaction', () => {
    it('makes a remote session ACTIVE and keeps its user reference', () => {
      given(requested).when(startTx()).then([started]);
      given(requested)
        .when(startTx())
        .thenState({
          status: 'ACTIVE',
          authType: 'REMOTE',
          start: { transactionId: 42, meterStartWh: 1000, startedAt: t(1), receivedAt: t(1) },
          userReference: 'user-7',
        });
    });
    it('creates a LOCAL session at ACTIVE when started at the charger', () => {
      given()
        .when(startTx({ idTag: 'RFID1' }))
        .thenState({
          status: 'ACTIVE',
          authType: 'LOCAL',
          userReference: null,
          idTag: 'RFID1',
          createdAt: t(1),
        });
    });
    it('delivered twice changes nothing', () => {
      given(requested, started).when(startTx()).thenNothing();
    });
    it('without a tariff still works, flagged MISSING_TARIFF', () => {
      given()
        .when(startTx({ tariff: null }))
        .thenState((s) => {
          expect(s.status).toBe('ACTIVE');
          expect(s.tariff).toBeNull();
          expect(s.flags).toContain('MISSING_TARIFF');
        });
    });
    it('keeps the charger timestamp and the gateway receive time; a clock 10 minutes ahead is flagged', () => {
      given()
        .when(startTx({ timestamp: t(11), receivedAt: t(1) }))
        .thenState((s) => {
          expect(s.start?.startedAt).toBe(t(11));
          expect(s.start?.receivedAt).toBe(t(1));
          expect(s.flags).toContain('CLOCK_SKEW');
        });
    });
    it('a clock within 5 minutes is not flagged', () => {
      given()
        .when(startTx({ timestamp: t(-4), receivedAt: t(0) }))
        .thenState((s) => expect(s.flags).not.toContain('CLOCK_SKEW'));
    });
  });

  describe('MeterValues', () => {
    it('records the latest energy register reading', () => {
      given(requested, started)
        .when(meter(5000, 10))
        .then([
          {
            type: 'SessionMeterUpdated',
            data: { ...REF42, meterWh: 5000, measuredAt: t(10), receivedAt: t(10) },
          },
        ]);
      given(requested, started)
        .when(meter(5000, 10))
        .thenState({ lastMeter: { wh: 5000, measuredAt: t(10) } });
    });
    it('an old reading delivered late does not replace a newer one, and sets no flag (only the start and stop count: flags.ts)', () => {
      const newer: SessionEvent = {
        type: 'SessionMeterUpdated',
        data: { ...REF42, meterWh: 9000, measuredAt: t(20), receivedAt: t(20) },
      };
      given(requested, started, newer)
        .when(meter(5000, 10, { receivedAt: t(30) }))
        .thenState((s) => {
          expect(s.lastMeter).toEqual({ wh: 9000, measuredAt: t(20) });
          expect(s.flags).toEqual([]);
        });
    });
    it('a Transaction.Begin reading of 0 is a placeholder: no event, meterStart kept', () => {
      given(requested, started)
        .when(meter(0, 1, { context: 'Transaction.Begin' }))
        .thenNothing();
    });
    it('a real Transaction.Begin reading replaces a 0 placeholder meterStart only', () => {
      const zeroStart = { ...started, data: { ...started.data, meterStartWh: 0 } } as SessionEvent;
      const s = given(requested, zeroStart)
        .when(meter(777, 1, { context: 'Transaction.Begin' }))
        .thenState({ start: { meterStartWh: 0 } }).state;
      expect(effectiveMeterStart(s)).toBe(777);
      const s2 = given(requested, started)
        .when(meter(777, 1, { context: 'Transaction.Begin' }))
        .thenState({ start: { meterStartWh: 1000 } }).state;
      expect(effectiveMeterStart(s2)).toBe(1000);
    });
    it('signed data sent with a 0 placeholder first travels with the first real reading', () => {
      const signed = 'OCMF|{"RD":[{"RV":1.2}]}|{"SD":"30"}';
      const command = {
        type: 'RecordMeterValues' as const,
        readings: [
          { wh: 0, measuredAt: t(1), context: 'Transaction.Begin' },
          { wh: 1200, measuredAt: t(2), context: 'Sample.Periodic' },
        ],
        signed: [signed],
        receivedAt: t(2),
      };
      given(requested, started)
        .when(command)
        .then([
          {
            type: 'SessionMeterUpdated',
            data: {
              ...REF42,
              meterWh: 1200,
              measuredAt: t(2),
              receivedAt: t(2),
              signedMeterValues: [signed],
            },
          },
        ]);
    });
    it('before the session started, readings are ignored', () => {
      given(requested).when(meter(5000, 10)).thenNothing();
    });
  });

  describe('StatusNotification', () => {
    it('moves the connector state and the charging_state', () => {
      given(requested, started)
        .when({
          type: 'RecordStatusNotification',
          connectorStatus: 'SuspendedEV',
          timestamp: t(5),
          receivedAt: t(5),
        })
        .thenState({ connectorStatus: 'SuspendedEV', chargingState: 'SuspendedEV' });
    });
    it('Available is a connector state, not a charging state', () => {
      const charging: SessionEvent = {
        type: 'SessionConnectorStatusChanged',
        data: { ...REF42, connectorStatus: 'Charging', at: t(2), receivedAt: t(2) },
      };
      given(requested, started, charging)
        .when({
          type: 'RecordStatusNotification',
          connectorStatus: 'Available',
          timestamp: t(30),
          receivedAt: t(30),
        })
        .thenState({ connectorStatus: 'Available', chargingState: 'Charging', status: 'ACTIVE' });
    });
    it('an older status delivered late does not override a newer one', () => {
      const finishing: SessionEvent = {
        type: 'SessionConnectorStatusChanged',
        data: { ...REF42, connectorStatus: 'Finishing', at: t(40), receivedAt: t(40) },
      };
      given(requested, started, finishing)
        .when({
          type: 'RecordStatusNotification',
          connectorStatus: 'Charging',
          timestamp: t(20),
          receivedAt: t(41),
        })
        .thenState({ connectorStatus: 'Finishing', chargingState: 'Finishing' });
    });
  });

  describe('StopTransaction', () => {
    it('closes the session with meterStop, reason and the signed meter values verbatim', () => {
      const signed =
        '<?xml version="1.0"?><signedMeterValue>OCMF|{"RD":[{"RV":16.0}]}|{"SD":"3045"}</signedMeterValue>';
      given(requested, started)
        .when(stopTx({ signed: [signed] }))
        .then((events) => {
          expect(events).toHaveLength(1);
          expect(events[0]).toMatchObject({
            type: 'SessionCompleted',
            data: {
              ...REF42,
              meterStartWh: 1000,
              meterStopWh: 16000,
              startedAt: t(1),
              completedAt: t(51),
              stopReason: 'Remote',
              tariff: TARIFF_A,
              signedMeterValues: [signed],
              authType: 'REMOTE',
              userReference: 'user-7',
            },
          });
        });
      const s = given(requested, started)
        .when(stopTx())
        .thenState({ status: 'CLOSED', stop: { meterStopWh: 16000, completedAt: t(51) } }).state;
      expect(durationSeconds(s)).toBe(3000);
    });
    it('a repeated stop changes nothing', () => {
      const closed = given(requested, started).when(stopTx()).thenState({ status: 'CLOSED' }).events;
      given(requested, started, ...closed)
        .when(stopTx({ meterStopWh: 99999, timestamp: t(90) }))
        .thenNothing();
    });
    it('meterStop below meterStart makes the session INVALID (no bill)', () => {
      given(requested, started)
        .when(stopTx({ meterStopWh: 500 }))
        .then((events) => expect(events.map((e) => e.type)).toEqual(['SessionInvalidated']));
      given(requested, started)
        .when(stopTx({ meterStopWh: 500 }))
        .thenState({ status: 'INVALID', invalid: { meterStopWh: 500 } });
    });
    it('meter readings inside transactionData are recorded too', () => {
      given(requested, started)
        .when(stopTx({ readings: [{ wh: 15990, measuredAt: t(50.9), context: 'Transaction.End' }] }))
        .thenState({ status: 'CLOSED', lastMeter: { wh: 15990, measuredAt: t(50.9) } });
    });
    it('durations come from the charger clock, not the receive times', () => {
      const s = given(requested)
        .when(startTx({ timestamp: t(1), receivedAt: t(3) }))
        .thenState({ status: 'ACTIVE' }).state;
      const closed = given(
        requested,
        ...[{ type: 'SessionStarted', data: { ...started.data, receivedAt: t(3) } } as SessionEvent],
      )
        .when(stopTx({ timestamp: t(11), receivedAt: t(12) }))
        .thenState({ status: 'CLOSED' }).state;
      expect(s.start?.receivedAt).toBe(t(3));
      expect(durationSeconds(closed)).toBe(600);
    });
  });

  describe('remote stop', () => {
    it('a stop request on an ACTIVE session is recorded', () => {
      given(requested, started)
        .when({ type: 'RequestStop', requestedAt: t(30), requestedBy: 'API', actor: FLEET_KEY })
        .then([
          {
            type: 'SessionStopRequested',
            data: { ...REF42, requestedAt: t(30), requestedBy: 'API', actor: FLEET_KEY },
          },
        ]);
    });
    it('stopping twice changes nothing', () => {
      const stopRequested: SessionEvent = {
        type: 'SessionStopRequested',
        data: { ...REF42, requestedAt: t(30), requestedBy: 'API' },
      };
      given(requested, started, stopRequested)
        .when({ type: 'RequestStop', requestedAt: t(31), requestedBy: 'API', actor: FLEET_KEY })
        .thenNothing();
    });
    it('a session that is not ACTIVE cannot be stopped; an unknown one is not found', () => {
      given(requested)
        .when({ type: 'RequestStop', requestedAt: t(1), requestedBy: 'API', actor: FLEET_KEY })
        .thenThrows('NOT_STOPPABLE');
      given()
        .when({ type: 'RequestStop', requestedAt: t(1), requestedBy: 'API', actor: FLEET_KEY })
        .thenThrows('SESSION_NOT_FOUND');
    });
    it('the charger accepting RemoteStopTransaction makes it REMOTE_STOPPED; then StopTransaction closes it', () => {
      const accepted = given(requested, started)
        .when({ type: 'RecordRemoteStopResult', outcome: 'Accepted', at: t(30) })
        .thenState({ status: 'REMOTE_STOPPED' }).events;
      given(requested, started, ...accepted)
        .when(stopTx())
        .thenState({ status: 'CLOSED' });
    });
    it('a rejected remote stop leaves the session ACTIVE', () => {
      given(requested, started)
        .when({ type: 'RecordRemoteStopResult', outcome: 'Rejected', at: t(30) })
        .thenNothing();
    });
    it('an Accepted result after the StopTransaction changes nothing', () => {
      const closed = given(requested, started).when(stopTx()).thenState({ status: 'CLOSED' }).events;
      given(requested, started, ...closed)
        .when({ type: 'RecordRemoteStopResult', outcome: 'Accepted', at: t(52) })
        .thenNothing();
    });
  });

  describe('timers', () => {
    const available: SessionEvent = {
      type: 'SessionConnectorStatusChanged',
      data: { ...REF42, connectorStatus: 'Available', at: t(40), receivedAt: t(40) },
    };
    const lastReading: SessionEvent = {
      type: 'SessionMeterUpdated',
      data: { ...REF42, meterWh: 12000, measuredAt: t(38), receivedAt: t(38) },
    };

    it('a connector Available without StopTransaction is closed after STOP_GRACE_MINUTES from its last meter value, flagged INFERRED', () => {
      given(requested, started, lastReading, available)
        .when({ type: 'CheckTimers', now: t(50), stopGraceMinutes: 10, startTimeoutSeconds: 90 })
        .then((events) => {
          expect(events).toHaveLength(1);
          expect(events[0]).toMatchObject({
            type: 'SessionCompleted',
            data: { meterStartWh: 1000, meterStopWh: 12000, completedAt: t(38), stopReason: 'INFERRED' },
          });
          expect((events[0].data as { flags: string[] }).flags).toContain('INFERRED_STOP');
        });
      given(requested, started, lastReading, available)
        .when({ type: 'CheckTimers', now: t(50), stopGraceMinutes: 10, startTimeoutSeconds: 90 })
        .thenState((s) => {
          expect(s.status).toBe('CLOSED');
          expect(s.stop?.stopReason).toBe('INFERRED');
          expect(s.flags).toContain('INFERRED_STOP');
        });
    });
    it('within the grace period nothing happens', () => {
      given(requested, started, lastReading, available)
        .when({ type: 'CheckTimers', now: t(49), stopGraceMinutes: 10, startTimeoutSeconds: 90 })
        .thenNothing();
    });
    it('a real StopTransaction within the grace period wins', () => {
      const closed = given(requested, started, lastReading, available)
        .when(stopTx({ timestamp: t(41) }))
        .thenState({ status: 'CLOSED' }).events;
      given(requested, started, lastReading, available, ...closed)
        .when({ type: 'CheckTimers', now: t(60), stopGraceMinutes: 10, startTimeoutSeconds: 90 })
        .thenNothing();
    });
    it('reaching max_charging_time asks again every 15 minutes while the session stays ACTIVE', () => {
      const short = {
        ...started,
        data: { ...started.data, tariff: { ...TARIFF_A, max_charging_time: 30 } },
      } as SessionEvent;
      const first = given(requested, short)
        .when({ type: 'CheckTimers', now: t(31), stopGraceMinutes: 10, startTimeoutSeconds: 90 })
        .thenState({ status: 'ACTIVE' }).events;
      // The charger was offline or rejected: 15 minutes later the stop is requested again, without a second flag.
      const second = given(requested, short, ...first)
        .when({ type: 'CheckTimers', now: t(46), stopGraceMinutes: 10, startTimeoutSeconds: 90 })
        .thenState((s) => expect(s.lastStopRequestAt).toBe(t(46))).events;
      expect(second.map((e) => e.type)).toEqual(['SessionStopRequested']);
      given(requested, short, ...first, ...second)
        .when({ type: 'CheckTimers', now: t(60), stopGraceMinutes: 10, startTimeoutSeconds: 90 })
        .thenNothing();
      expect(
        nextTimerAt(fold([requested, short, ...first, ...second]), {
          stopGraceMinutes: 10,
          startTimeoutSeconds: 90,
        }),
      ).toBe(t(61));
    });
    it('max_charging_time falling due while the connector is Available within the grace period still stops', () => {
      const short = {
        ...started,
        data: { ...started.data, tariff: { ...TARIFF_A, max_charging_time: 45 } },
      } as SessionEvent;
      // Started (received) at 1, Available at 40 (grace until 50); max reached at 46: not swallowed.
      given(requested, short, lastReading, available)
        .when({ type: 'CheckTimers', now: t(45), stopGraceMinutes: 10, startTimeoutSeconds: 90 })
        .thenNothing();
      const { events } = given(requested, short, lastReading, available)
        .when({ type: 'CheckTimers', now: t(46), stopGraceMinutes: 10, startTimeoutSeconds: 90 })
        .thenState({ status: 'ACTIVE' });
      expect(events.map((e) => e.type)).toEqual(['SessionFlagRaised', 'SessionStopRequested']);
      // And the inferred close still comes at the end of the grace period.
      expect(
        nextTimerAt(fold([requested, short, lastReading, available, ...events]), {
          stopGraceMinutes: 10,
          startTimeoutSeconds: 90,
        }),
      ).toBe(t(50));
    });
    it('reaching max_charging_time requests a remote stop once', () => {
      const short = {
        ...started,
        data: { ...started.data, tariff: { ...TARIFF_A, max_charging_time: 30 } },
      } as SessionEvent;
      const { events } = given(requested, short)
        .when({ type: 'CheckTimers', now: t(31), stopGraceMinutes: 10, startTimeoutSeconds: 90 })
        .thenState((s) => {
          expect(s.stopRequestedBy).toBe('MAX_CHARGING_TIME');
          expect(s.flags).toContain('MAX_CHARGING_TIME_REACHED');
        });
      expect(events.map((e) => e.type)).toEqual(['SessionFlagRaised', 'SessionStopRequested']);
      // The service asked, not a credential.
      expect(events[1].data).toMatchObject({ actor: { kind: 'system', id: 'session-service' } });
      given(requested, short, ...events)
        .when({ type: 'CheckTimers', now: t(40), stopGraceMinutes: 10, startTimeoutSeconds: 90 })
        .thenNothing();
      given(requested, short)
        .when({ type: 'CheckTimers', now: t(29), stopGraceMinutes: 10, startTimeoutSeconds: 90 })
        .thenNothing();
    });
  });

  describe('charges from billing', () => {
    const amount = {
      energy: '13.2000',
      session: '0.0000',
      time: '0.6000',
      net: '13.80',
      vat: '2.62',
      gross: '16.42',
      currency: 'EUR',
    };
    it('ChargeCalculated puts final_amount on the session; redelivery changes nothing', () => {
      const { events } = given(requested, started)
        .when({ type: 'RecordCharge', chargeId: 'c1', kind: 'CHARGE', finalAmount: amount, pricedAt: t(60) })
        .thenState({ finalAmount: amount, chargeId: 'c1' });
      given(requested, started, ...events)
        .when({ type: 'RecordCharge', chargeId: 'c1', kind: 'CHARGE', finalAmount: amount, pricedAt: t(60) })
        .thenNothing();
    });
    it('a reversal removes the amount until the corrected charge arrives', () => {
      const priced: SessionEvent = {
        type: 'SessionPriced',
        data: { ...REF42, chargeId: 'c1', finalAmount: amount, pricedAt: t(60) },
      };
      given(requested, started, priced)
        .when({
          type: 'RecordCharge',
          chargeId: 'c2',
          kind: 'REVERSAL',
          reversesChargeId: 'c1',
          finalAmount: amount,
          pricedAt: t(70),
        })
        .thenState({ finalAmount: null, chargeId: null });
    });
  });
});
