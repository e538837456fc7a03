// The demo world as plain data, generated from a seed: zones in a few countries, missions,
// players with wallets, sponsors, and the players' actions (approved deeds and rejected cheats).
import { keccak256, stringToHex, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { Prng } from './prng.ts';

const CITIES = [
  { country: 'KE', zones: [['Nairobi — Kibera', -1.3133, 36.7892], ['Nairobi — Karura Forest', -1.2373, 36.8376], ['Mombasa — Nyali Beach', -4.0316, 39.7186]] },
  { country: 'BR', zones: [['São Paulo — Ibirapuera', -23.5874, -46.6576], ['Rio — Copacabana', -22.9711, -43.1822], ['Belém — Ver-o-Peso', -1.4528, -48.5034]] },
  { country: 'IN', zones: [['Mumbai — Versova Beach', 19.1351, 72.8146], ['Bengaluru — Cubbon Park', 12.9763, 77.5929], ['Chennai — Adyar Estuary', 13.0102, 80.2705]] },
  { country: 'ID', zones: [['Jakarta — Ciliwung River', -6.2297, 106.8597], ['Bali — Kuta Beach', -8.7185, 115.1686]] },
] as const;

const MISSIONS = [
  { type: 'cleanup', title: 'Beach & street cleanup', xp: 120, heart: 12, minutes: 60 },
  { type: 'planting', title: 'Plant native trees', xp: 150, heart: 15, minutes: 90 },
  { type: 'recycling', title: 'Sort and deliver recyclables', xp: 80, heart: 8, minutes: 45 },
  { type: 'education', title: 'Teach a climate workshop', xp: 140, heart: 14, minutes: 120 },
  { type: 'care', title: 'Visit and help elderly neighbours', xp: 100, heart: 10, minutes: 60 },
  { type: 'water', title: 'Repair a community water point', xp: 160, heart: 18, minutes: 120 },
  { type: 'energy', title: 'Install LED bulbs for a family', xp: 90, heart: 9, minutes: 45 },
] as const;

const FIRST = ['Amani', 'Wanjiru', 'Otieno', 'Ana', 'João', 'Beatriz', 'Lucas', 'Priya', 'Arjun', 'Kavya', 'Rohan', 'Siti', 'Budi', 'Dewi', 'Made', 'Zawadi', 'Kamau', 'Mariana', 'Rafael', 'Ananya'];
const LAST = ['K.', 'M.', 'S.', 'O.', 'R.', 'P.', 'W.', 'N.', 'A.', 'T.'];
const SPONSORS = ['GreenFuture Foundation', 'Ocean Guardians Co.', 'SolarShare Ltd', 'Clean Water Alliance'];
const CHEATS = [['geofence'], ['near-duplicate'], ['impossible-travel'], ['exif-mismatch', 'timestamp-skew'], ['burst', 'near-duplicate']] as const;

export interface Zone { id: string; name: string; country: string; lat: number; lon: number; radiusM: number; multiplier: string }
export interface Mission { id: string; zoneId: string; title: string; description: string; type: string; difficulty: number; baseXp: number; baseHeartWei: string; minutes: number; lat: number; lon: number }
export interface Player { id: string; address: string; privateKey: Hex; displayName: string; homeZoneId: string; cheater: boolean; role: 'player' | 'sponsor' }
export interface Sponsor { id: string; name: string; playerId: string; address: string }
export interface Action {
  id: string; playerId: string; missionId: string; lat: number; lon: number; accuracyM: number; at: Date;
  evidence: { id: string; sha256: string; salt: Uint8Array; phash: bigint; width: number; height: number; sizeBytes: number };
  verdict: { decision: 'approve' | 'reject'; authenticity: number; confidence: number; flags: string[] };
  witnessId: string | null;
}
export interface World { zones: Zone[]; missions: Mission[]; players: Player[]; sponsors: Sponsor[]; actions: Action[] }

export interface WorldOptions { seed: number; players: number; actions: number; cheaterShare?: number; from: Date; to: Date }

const wallet = (seed: number, i: number): { privateKey: Hex; address: string } => {
  // Deterministic stand-in for viem's generatePrivateKey(): same seed, same wallets.
  const privateKey = keccak256(stringToHex(`oneheart-demo:${seed}:${i}`));
  return { privateKey, address: privateKeyToAccount(privateKey).address.toLowerCase() };
};

/** Generates the world; actions are sorted by time, between `from` and `to`. */
export function generateWorld(o: WorldOptions): World {
  const r = new Prng(o.seed);
  const zones: Zone[] = CITIES.flatMap((c) => c.zones.map(([name, lat, lon]) => ({
    id: r.uuid(), name, country: c.country, lat, lon, radiusM: r.pick([300, 500, 800]), multiplier: r.pick(['1.000', '1.100', '1.250', '1.500']),
  })));
  const missions: Mission[] = zones.flatMap((z) => Array.from({ length: 3 }, () => {
    const m = r.pick(MISSIONS);
    const difficulty = r.int(1, 3);
    return {
      id: r.uuid(), zoneId: z.id, title: `${m.title} (${z.name.split(' — ')[1] ?? z.name})`, description: `${m.title} in ${z.name}; photo proof with GPS.`,
      type: m.type, difficulty, baseXp: m.xp, baseHeartWei: (BigInt(m.heart) * 10n ** 18n).toString(), minutes: m.minutes,
      lat: z.lat + r.jitter() * 0.002, lon: z.lon + r.jitter() * 0.002,
    };
  }));
  const cheaterShare = o.cheaterShare ?? 0.05;
  const players: Player[] = Array.from({ length: o.players }, (_, i) => ({
    id: r.uuid(), ...wallet(o.seed, i), displayName: `${r.pick(FIRST)} ${r.pick(LAST)}`, homeZoneId: r.pick(zones).id,
    cheater: r.chance(cheaterShare), role: 'player' as const,
  }));
  const sponsors: Sponsor[] = SPONSORS.map((name, i) => {
    const w = wallet(o.seed, 100_000 + i);
    const p: Player = { id: r.uuid(), ...w, displayName: name, homeZoneId: r.pick(zones).id, cheater: false, role: 'sponsor' };
    players.push(p);
    return { id: r.uuid(), name, playerId: p.id, address: p.address };
  });
  const doers = players.filter((p) => p.role === 'player');
  const span = o.to.getTime() - o.from.getTime();
  const times = Array.from({ length: o.actions }, () => o.from.getTime() + Math.floor(r.next() * span)).sort((a, b) => a - b);
  const actions: Action[] = times.map((t) => {
    const p = r.pick(doers);
    const local = missions.filter((m) => m.zoneId === p.homeZoneId);
    const m = r.chance(0.85) && local.length ? r.pick(local) : r.pick(missions);
    const cheat = p.cheater && r.chance(0.7);
    const flags = cheat ? [...r.pick(CHEATS)] : [];
    const far = flags.includes('geofence') || flags.includes('impossible-travel');
    return {
      id: r.uuid(), playerId: p.id, missionId: m.id, at: new Date(t), accuracyM: Math.round((3 + r.next() * 9) * 10) / 10,
      lat: m.lat + r.jitter() * (far ? 0.5 : 0.0003), lon: m.lon + r.jitter() * (far ? 0.5 : 0.0003),
      evidence: { id: r.uuid(), sha256: r.hex(32), salt: r.bytes(32), phash: BigInt.asIntN(64, BigInt(`0x${r.hex(8)}`)), width: 1600, height: 1200, sizeBytes: r.int(180_000, 900_000) },
      verdict: cheat
        ? { decision: 'reject', authenticity: r.int(2, 19), confidence: 0.8 + r.next() * 0.19, flags }
        : { decision: 'approve', authenticity: r.int(55, 99), confidence: 0.7 + r.next() * 0.29, flags: [] },
      witnessId: !cheat && r.chance(0.2) ? r.pick(doers).id : null,
    };
  });
  for (const a of actions) if (a.witnessId === a.playerId) a.witnessId = null;
  return { zones, missions, players, sponsors, actions };
}
