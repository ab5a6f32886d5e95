import { requestProperties } from './properties/requests.js';
import { conformance } from './suite.js';

conformance(requestProperties);
