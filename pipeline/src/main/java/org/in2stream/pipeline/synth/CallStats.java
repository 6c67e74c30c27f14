package org.in2stream.pipeline.synth;

import java.util.List;

/**
 * The accounting of one request: HTTP calls made (first attempt and retries), whether the response
 * cache answered, and what the calls cost.
 *
 * @param calls HTTP requests sent for this request key (0 on a cache hit)
 * @param retries calls after the first one (backoff retries and response-format fallbacks)
 * @param cacheHit the response came from the cache; no call was made
 * @param cacheMiss the cache was asked and did not hold the response
 * @param cacheWrite the response was written to the cache before it was used
 * @param latenciesMs wall time of each call, in milliseconds
 * @param tokensIn prompt tokens reported by the server (0 when it reports none)
 * @param tokensOut completion tokens reported by the server
 * @param formatFallbacks times the server rejected the structured-output format and a simpler one
 *     was tried
 * @param costMicroUsd what the tokens cost at the configured prices, in millionths of a US dollar
 */
public record CallStats(int calls, int retries, boolean cacheHit, boolean cacheMiss,
    boolean cacheWrite, List<Long> latenciesMs, long tokensIn, long tokensOut,
    int formatFallbacks, long costMicroUsd) {

  /** No call and no cache: what a generator without a network (the offline one) reports. */
  public static final CallStats NONE = new CallStats(0, 0, false, false, false, List.of(), 0, 0, 0, 0);

  public CallStats {
    latenciesMs = List.copyOf(latenciesMs);
  }

  /** The accounting of two requests together (a generation and its verification calls). */
  public CallStats plus(CallStats o) {
    List<Long> l = new java.util.ArrayList<>(latenciesMs);
    l.addAll(o.latenciesMs);
    return new CallStats(calls + o.calls, retries + o.retries, cacheHit || o.cacheHit,
        cacheMiss || o.cacheMiss, cacheWrite || o.cacheWrite, l, tokensIn + o.tokensIn,
        tokensOut + o.tokensOut, formatFallbacks + o.formatFallbacks,
        costMicroUsd + o.costMicroUsd);
  }
}
