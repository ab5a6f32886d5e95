import { meanOf, type Bucket } from './Downsampler.js';

/** Where a device sits in the site: the groups its readings are aggregated into. */
export interface DevicePlace {
  readonly building: string;
  readonly floor: string;
}

/** One metric's aggregate over one interval, as the site tree carries it. */
export interface MetricAggregate {
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  /** Readings summarised. */
  readonly n: number;
  /** The interval's start (ms since the epoch). */
  readonly t: number;
}

/** The series name of a floor's aggregate and of a building's. */
export const floorSeries = (place: DevicePlace): string => `${place.building}/${place.floor}`;
export const buildingSeries = (place: DevicePlace): string => place.building;

/** Rounds for the wire: two decimals is finer than any of the simulated sensors. */
const round = (value: number) => Math.round(value * 100) / 100;

/** A closed bucket as the site tree shows it. */
export function toAggregate(bucket: Bucket): MetricAggregate {
  return {
    mean: round(meanOf(bucket)),
    min: round(bucket.min),
    max: round(bucket.max),
    n: bucket.count,
    t: bucket.start,
  };
}

/**
 * The series a reading feeds in the aggregate downsampler: its floor and its building. Both are means of every
 * reading in the interval (not of floor means), so a building's mean weighs each device once per reading.
 */
export function aggregateSeries(place: DevicePlace): readonly string[] {
  return [floorSeries(place), buildingSeries(place)];
}
