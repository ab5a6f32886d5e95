import { clusterConformance } from './cluster/suite.js';

clusterConformance();
