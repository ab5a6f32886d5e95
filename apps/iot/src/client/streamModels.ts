import { jsonPatchState, keyedState, type StateModel } from '@twohop/snapshot-delta';
import type { Alarm } from '../domain/alarms/alarmTypes.js';
import { ALARMS_STREAM, SITE_STREAM, type DeviceReading } from '../domain/dashboardWire.js';

/** The state model of each dashboard stream: the site tree is JSON Patch, the rest keyed state. */
export function modelFor(stream: string): StateModel<unknown, unknown, unknown> {
  const model =
    stream === SITE_STREAM
      ? jsonPatchState()
      : stream === ALARMS_STREAM
        ? keyedState<Alarm>()
        : keyedState<DeviceReading>();
  return model as StateModel<unknown, unknown, unknown>;
}
