export { freePort } from '@twohop/cluster';
