/**
 * What each tier should show, worked out the plain way — sort every level, cut, group by arithmetic — independently
 * of `tierView`'s sorted walk, so tier tests compare the code against something other than itself.
 *
 * `book` is the full book as wire keys (`b:<price>`, `a:<price>`) → quantity; `depth` and `bucket` as in a tier.
 */
export function expectedTierView(
  book: ReadonlyMap<string, number>,
  tier: { readonly depth?: number; readonly bucket?: number },
): Map<string, number> {
  const view = new Map<string, number>();
  for (const side of ['b', 'a'] as const) {
    const levels = [...book]
      .filter(([key]) => key.startsWith(`${side}:`))
      .map(([key, quantity]) => [Number(key.slice(2)), quantity] as const);
    // Bids best-first is highest-first; asks lowest-first.
    const better = (a: number, b: number) => (side === 'b' ? b - a : a - b);
    let rows: (readonly [number, number])[] = levels;
    if (tier.bucket !== undefined) {
      const size = tier.bucket;
      const sums = new Map<number, number>();
      for (const [price, quantity] of levels) {
        // A bid bucket is named by the highest multiple of `size` at or below its prices, an ask bucket by the
        // lowest at or above: a bucket never shows a better price than exists.
        const bucket =
          side === 'b' ? price - (((price % size) + size) % size) : -Math.floor(-price / size) * size;
        sums.set(bucket, (sums.get(bucket) ?? 0) + quantity);
      }
      rows = [...sums];
    }
    const depth = tier.depth ?? (tier.bucket === undefined ? Infinity : 10);
    for (const [price, quantity] of [...rows].sort(([a], [b]) => better(a, b)).slice(0, depth))
      view.set(`${side}:${price}`, quantity);
  }
  return view;
}
