import { streamProperties } from './properties/stream.js';
import { conformance } from './suite.js';

conformance(streamProperties);
