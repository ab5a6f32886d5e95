import { SeededRandom, testSeed } from '@twohop/testkit';
import { describe, expect, it } from 'vitest';
import { SensorModel } from './SensorModel.js';
import type { METRICS } from './site.js';
import { outOfRange } from './site.js';

describe('SensorModel', () => {
  it('stays in every metric’s healthy range for an hour of readings, and the same seed gives the same values', () => {
    const seed = testSeed('sensor model', 17);
    const run = () => {
      const random = new SeededRandom(seed);
      const sensor = new SensorModel({
        metrics: ['temperature', 'humidity', 'co2', 'occupancy'],
        random: () => random.float(),
      });
      for (let second = 0; second < 3600; second++) {
        sensor.step(1000);
        for (const [metric, value] of Object.entries(sensor.values()))
          expect(outOfRange({ metric: metric as keyof typeof METRICS, value }), `${metric} ${value}`).toBe(
            false,
          );
      }
      return sensor.values();
    };
    expect(run()).toEqual(run());
  });

  it('runs hot out of range by the given rate until cooled', () => {
    const sensor = new SensorModel({ metrics: ['temperature'], random: () => 0.5 });
    const before = sensor.values().temperature;
    sensor.heat('temperature', 2);
    for (let second = 0; second < 20; second++) sensor.step(1000);
    expect(sensor.values().temperature).toBeCloseTo(before + 40, 5);
    expect(outOfRange({ metric: 'temperature', value: sensor.values().temperature })).toBe(true);
    sensor.cool();
    expect(sensor.values().temperature).toBe(before);
  });

  it('reports occupancy in whole people', () => {
    const random = new SeededRandom(3);
    const sensor = new SensorModel({ metrics: ['occupancy'], random: () => random.float() });
    for (let step = 0; step < 100; step++) {
      sensor.step(1000);
      expect(Number.isInteger(sensor.values().occupancy)).toBe(true);
    }
  });
});
