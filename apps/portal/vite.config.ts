import { twohopUi } from '@twohop/vue/vite';
import { defineConfig } from 'vite';

// The portal's page: built into dist/web, which the portal serves at `/`.
export default defineConfig(twohopUi({ appDir: new URL('.', import.meta.url), title: 'portal' }));
