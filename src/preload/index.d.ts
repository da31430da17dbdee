import type { MedbenchApi } from '../shared/contract';

declare global {
  interface Window {
    /** Present in the desktop app; absent in a plain browser (`medbench serve`). */
    medbench?: MedbenchApi;
  }
}
