import { twohopUi } from '@twohop/vue/vite';
import { defineConfig } from 'vite';

// The IoT dashboard UI: built into dist/web, which the server serves at `/`; its shared worker is built beside it.
export default defineConfig({
  ...twohopUi({ appDir: new URL('.', import.meta.url), title: 'IoT dashboard' }),
  worker: { format: 'es' },
});
