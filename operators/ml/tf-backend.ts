/**
 * TensorFlow.js backend selection, once per process. A guarded dynamic import tries the native
 * `@tensorflow/tfjs-node` (optional: it cannot be installed everywhere); otherwise `@tensorflow/tfjs` with
 * the bundled `@tensorflow/tfjs-backend-wasm`, whose .wasm files are loaded from the installed package
 * directory (no network). Invariant: every TENSORFLOW model in the process uses the same tf instance and
 * backend; the choice (and why) is logged once through the given logger and reported by tfBackendInfo().
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as TfNamespace from '@tensorflow/tfjs';

export type Tf = typeof TfNamespace;

export interface TfBackendInfo {
  /** 'tensorflow' (tfjs-node) or 'wasm'. */
  backend: string;
  package: string;
  /** Why the native backend was not used, when it was not. */
  fallbackReason?: string;
}

let loading: Promise<{ tf: Tf; info: TfBackendInfo }> | null = null;

export function loadTf(log: (msg: string) => void = () => undefined): Promise<{ tf: Tf; info: TfBackendInfo }> {
  loading ??= (async () => {
    let fallbackReason: string;
    try {
      const nativeName = '@tensorflow/tfjs-node';
      const tf = (await import(nativeName)) as Tf;
      await tf.ready();
      const info = { backend: tf.getBackend(), package: nativeName };
      log(`tensorflow.js backend: ${info.backend} (${info.package})`);
      return { tf, info };
    } catch (e) {
      fallbackReason = `@tensorflow/tfjs-node unavailable: ${(e as Error).message.split('\n')[0]}`;
    }
    const tf = (await import('@tensorflow/tfjs')) as Tf;
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const req = createRequire(import.meta.url);
    const dir = path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    wasm.setWasmPaths(dir + path.sep);
    const ok = await tf.setBackend('wasm');
    await tf.ready();
    const info: TfBackendInfo = {
      backend: ok ? tf.getBackend() : tf.getBackend(),
      package: '@tensorflow/tfjs-backend-wasm',
      fallbackReason,
    };
    log(`tensorflow.js backend: ${info.backend} (${info.package}; ${fallbackReason})`);
    return { tf, info };
  })();
  return loading;
}

/** The backend in use, or null before the first TENSORFLOW model loaded. */
export async function tfBackendInfo(): Promise<TfBackendInfo | null> {
  return loading ? (await loading).info : null;
}
