import { commonProperties } from './properties/common.js';
import { conformance } from './suite.js';

conformance(commonProperties);
