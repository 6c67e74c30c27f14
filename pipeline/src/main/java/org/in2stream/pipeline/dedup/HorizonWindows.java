package org.in2stream.pipeline.dedup;

import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * Moving items out of their event-time windows for the dedup state and back. Beam keeps keyed state
 * per key and window, so a horizon longer than a window needs the global window; afterwards the
 * items return to the original windows with their own timestamps.
 */
public final class HorizonWindows {
  private HorizonWindows() {}

  /** Into the global window; timestamps unchanged. */
  public static <T> Window<T> intoGlobal() {
    return Window.into(new GlobalWindows());
  }

  /** Back into the original window function; timestamps unchanged, no grouping. */
  public static <T> Window<T> back(WindowingStrategy<?, ?> original) {
    return HorizonWindows.<T>into(original, original.getTimestampCombiner());
  }

  @SuppressWarnings("unchecked")
  private static <T> Window<T> into(WindowingStrategy<?, ?> original, TimestampCombiner combiner) {
    WindowFn<? super T, ?> fn = (WindowFn<? super T, ?>) original.getWindowFn();
    return Window.<T>into(fn).withTimestampCombiner(combiner);
  }

  /**
   * Back into the original windows through a grouping per item, so each item comes out in the pane
   * its window fires when the watermark passes the window's end, with its own timestamp (as the
   * window's first grouping step gave before dedup moved across windows).
   */
  public static <T> PTransform<PCollection<T>, PCollection<T>> backAndFire(
      WindowingStrategy<?, ?> original, ItemKeys<T> keys) {
    return new PTransform<>() {
      @Override
      public PCollection<T> expand(PCollection<T> items) {
        if (original.getWindowFn() instanceof GlobalWindows) {
          return items;
        }
        return items
            .apply("BackToWindows", HorizonWindows.<T>into(original, TimestampCombiner.EARLIEST))
            .apply("ByItem", WithKeys.<String, T>of(keys::uid)
                .withKeyType(TypeDescriptors.strings()))
            .apply("FireWithWindow", GroupByKey.create())
            .apply("Ungroup", ParDo.of(new UngroupFn<>()))
            .setCoder(items.getCoder())
            .apply("RestoreWindowing", back(original));
      }
    };
  }

  static final class UngroupFn<T> extends DoFn<KV<String, Iterable<T>>, T> {
    @ProcessElement
    public void process(@Element KV<String, Iterable<T>> group, OutputReceiver<T> out) {
      for (T item : group.getValue()) {
        out.output(item);
      }
    }
  }
}
