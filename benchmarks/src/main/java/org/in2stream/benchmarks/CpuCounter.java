package org.in2stream.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * CPU time of the benchmark thread and the operations it did, per iteration (JMH sums them over the
 * measured iterations). On a shared machine the thread's CPU time per operation is far steadier than
 * wall time, so the report's ratios use it; wall-time throughput is shown next to it.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class CpuCounter {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  public long cpuNanos;
  public long ops;
  private long start;

  @Setup(Level.Iteration)
  public void begin() {
    cpuNanos = 0;
    ops = 0;
    start = THREADS.getCurrentThreadCpuTime();
  }

  void count() {
    ops++;
    cpuNanos = THREADS.getCurrentThreadCpuTime() - start;
  }
}
