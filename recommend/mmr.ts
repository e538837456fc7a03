/**
 * Maximal marginal relevance (Carbonell & Goldstein 1998): picks `k` items one
 * at a time, each maximising λ·relevance − (1 − λ)·(highest similarity to an
 * item already picked). λ = 1 is plain ranking; lower trades relevance for
 * diversity. Relevance and similarity should both lie in [0, 1].
 */
export function mmr<T>(pool: readonly { item: T; relevance: number }[], k: number, similarity: (a: T, b: T) => number, lambda: number): { item: T; relevance: number }[] {
  const left = [...pool];
  const picked: { item: T; relevance: number }[] = [];
  while (picked.length < k && left.length) {
    let best = 0;
    let bestValue = -Infinity;
    left.forEach((c, i) => {
      const redundancy = picked.reduce((m, p) => Math.max(m, similarity(c.item, p.item)), 0);
      const value = lambda * c.relevance - (1 - lambda) * redundancy;
      if (value > bestValue) [best, bestValue] = [i, value];
    });
    picked.push(...left.splice(best, 1));
  }
  return picked;
}
