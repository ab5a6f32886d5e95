import { twohopUi } from '@twohop/vue/vite';
import { defineConfig } from 'vite';

// The auction UI: built into dist/web, which the server serves at `/`.
export default defineConfig(twohopUi({ appDir: new URL('.', import.meta.url), title: 'live auction' }));
