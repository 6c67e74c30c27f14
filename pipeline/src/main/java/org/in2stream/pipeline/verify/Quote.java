package org.in2stream.pipeline.verify;

/**
 * One verbatim quote the generator gave as evidence.
 *
 * @param segmentIndex the {@code Segment.index} of the piece the quote must come from
 * @param text the quote as the generator wrote it
 */
public record Quote(int segmentIndex, String text) {}
