import { createRouter, openaiCompatible } from 'sovroute';

/** The router every fixture uses: built as a user builds one, from the published types. */
export const router = createRouter({
  providers: [openaiCompatible({ id: 'local', baseURL: 'http://127.0.0.1:8000/v1', models: [{ id: 'llama-3.3-70b-instruct' }] })],
});
