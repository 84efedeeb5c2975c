/**
 * `Windows.Networking.Sockets.BandwidthStatistics` (reference/uwp-api.md §13): the bandwidth
 * estimate on `information.bandwidthStatistics` of both socket kinds.
 *
 * Windows fills it from extended TCP statistics. Node exposes no TCP statistics, so netsockets
 * computes `outboundBitsPerSecond` / `inboundBitsPerSecond` from the connection's own byte
 * counters over a sliding one-second window (bytes handed to the kernel, bytes read from it,
 * framing included), and reports the `*Instability` fields as `0n` and the `*BandwidthPeaked`
 * fields as `false`, as Windows does when extended statistics are off (the Server default).
 */
export interface BandwidthStatistics {
  /** Bits per second sent over the last second. */
  readonly outboundBitsPerSecond: bigint;
  /** Bits per second received over the last second. */
  readonly inboundBitsPerSecond: bigint;
  /** Always `0n`: Node has no TCP statistics to estimate it from. */
  readonly outboundBitsPerSecondInstability: bigint;
  /** Always `0n`: Node has no TCP statistics to estimate it from. */
  readonly inboundBitsPerSecondInstability: bigint;
  /** Always `false`: Node has no congestion-window information. */
  readonly outboundBandwidthPeaked: boolean;
  /** Always `false`: Node has no congestion-window information. */
  readonly inboundBandwidthPeaked: boolean;
}

/** The statistics of a socket that has moved no bytes (e.g. before connect). */
export const ZERO_BANDWIDTH_STATISTICS: BandwidthStatistics = bandwidthStatistics(0n, 0n);

/** Builds a frozen {@link BandwidthStatistics} from the two measured rates. */
export function bandwidthStatistics(
  outboundBitsPerSecond: bigint,
  inboundBitsPerSecond: bigint,
): BandwidthStatistics {
  return Object.freeze({
    outboundBitsPerSecond,
    inboundBitsPerSecond,
    outboundBitsPerSecondInstability: 0n,
    inboundBitsPerSecondInstability: 0n,
    outboundBandwidthPeaked: false,
    inboundBandwidthPeaked: false,
  });
}
