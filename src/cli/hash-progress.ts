/**
 * Progress while a model file is hashed (once, at registration; again only when it changed or with --verify):
 * a 5 GB model takes seconds, far more from a cold disk. On stderr and only on a TTY, like every progress line.
 */
export function hashProgressReporter(stream: NodeJS.WriteStream = process.stderr): ((progress: { bytesHashed: number; totalBytes: number }) => void) | undefined {
  if (!stream.isTTY) return undefined;
  let lastPercent = -1;
  return ({ bytesHashed, totalBytes }) => {
    const percent = totalBytes > 0 ? Math.floor((bytesHashed / totalBytes) * 100) : 100;
    if (percent === lastPercent) return;
    lastPercent = percent;
    const gb = (bytes: number) => (bytes / 1e9).toFixed(2);
    stream.write(`\rHashing the model file (once): ${gb(bytesHashed)} / ${gb(totalBytes)} GB (${percent}%)${percent >= 100 ? '\n' : ''}`);
  };
}
