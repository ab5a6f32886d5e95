/**
 * The broker an edge node's `attempt`-th session goes to: the list taken in turn, starting at a place that depends on
 * the node (a hash of its id), so a fleet spreads over a cluster's brokers and a node whose broker died tries the next.
 */
export function brokerFor(node: string, attempt: number, urls: readonly string[]): string {
  let hash = 0;
  for (const char of node) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return urls[(hash + attempt) % urls.length]!;
}
