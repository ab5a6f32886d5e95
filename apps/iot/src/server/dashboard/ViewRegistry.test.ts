import { describe, expect, it } from 'vitest';
import type { DeviceReading } from '../../domain/dashboardWire.js';
import { ViewRegistry } from './ViewRegistry.js';

const reading = (value: number): DeviceReading => ({ values: { temperature: value }, ts: 1, online: true });

describe('ViewRegistry', () => {
  it('keeps a view to the devices it shows: entering ones from their latest reading, leaving ones removed', () => {
    const latest = new Map([
      ['a', reading(1)],
      ['b', reading(2)],
    ]);
    const views = new ViewRegistry({ latest: (device) => latest.get(device), now: () => 0 });
    const entry = views.resolve('view:dashboard-1')!;
    expect(views.setVisible('dashboard-1', ['a', 'b'])).toEqual({ entered: 2, left: 0 });
    const state = () =>
      (entry.source.snapshot().data as Array<[string, DeviceReading]>).map(([key]) => key).sort();
    expect(state()).toEqual(['a', 'b']);
    expect(views.setVisible('dashboard-1', ['b', 'c'])).toEqual({ entered: 1, left: 1 });
    expect(state()).toEqual(['b']);
    // A reading reaches the views that show its device, and no other.
    views.update('c', reading(3));
    views.update('a', reading(4));
    expect(state()).toEqual(['b', 'c']);
  });

  it('refuses names that are not views and holds at most maxViews, dropping the least recently used', () => {
    const views = new ViewRegistry({ latest: () => undefined, maxViews: 2, now: () => 0 });
    expect(views.resolve('site')).toBeUndefined();
    expect(views.resolve('view:short')).toBeUndefined();
    views.setVisible('dashboard-1', ['a']);
    views.setVisible('dashboard-2', ['a']);
    views.resolve('view:dashboard-1'); // used again: dashboard-2 is now the oldest
    views.setVisible('dashboard-3', ['a']);
    expect(views.size).toBe(2);
    expect(views.visible('dashboard-2')).toBeUndefined();
    expect(views.visible('dashboard-1')).toEqual(['a']);
  });
});
