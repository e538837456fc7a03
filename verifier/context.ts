/** Everything the verifier knows about one proof, as plain data (built by the worker, or by the simulator). */
export interface GeoPoint {
  latitude: number;
  longitude: number;
}

export interface PriorProof extends GeoPoint {
  capturedAt: Date;
}

export interface ExifInfo {
  latitude?: number;
  longitude?: number;
  takenAt?: Date;
}

export interface MediaSignals {
  /** The bytes decoded as an image of sane dimensions. */
  decodable: boolean;
  /** The sniffed type differs from the declared media type. */
  typeMismatch: boolean;
  /** Another stored evidence row has the same SHA-256. */
  exactDuplicate: boolean;
  /** Smallest Hamming distance to another stored perceptual hash (64 when none). */
  nearestHamming: number;
}

export interface ProofContext {
  action: GeoPoint & { accuracyM: number; capturedAt: Date; submittedAt: Date };
  mission: GeoPoint & { radiusM: number };
  previous: PriorProof | null;
  /** Submission times of the player's other actions in the hour before this one. */
  recentSubmissions: Date[];
  exif: ExifInfo | null;
  media: MediaSignals;
  /** Witnesses of this action, and how many of the player's earlier actions each of them witnessed. */
  witnesses: { priorWitnessedForPlayer: number }[];
  now: Date;
}

export interface RuleResult {
  name: string;
  passed: boolean;
  severity: 'hard' | 'soft';
  detail: string;
}
