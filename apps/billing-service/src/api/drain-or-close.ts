import type { Writable } from 'node:stream';

/**
 * Waits for the socket to take more. A client that goes away while we wait emits `close` and never
 * `drain`: without this the export (and its cursor's connection) would wait forever.
 */
export function drainOrClose(res: Writable): Promise<void> {
  if (res.destroyed) return Promise.reject(new Error('the client closed the connection during the export'));
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      res.off('error', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error('the client closed the connection during the export'));
    res.on('drain', onDrain);
    res.on('close', onClose);
    res.on('error', onClose);
  });
}
