package org.in2stream.runners.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading the job's Beam counters out of a Prometheus exposition of Flink's reporter. */
class JobStatusTest {
  private static final String P = JobStatus.OUR_PREFIX;
  private static final String TEXT = String.join("\n",
      "# HELP " + P + "pipeline_failure_CountOutputs_examples examples (scope: x)",
      "# TYPE " + P + "pipeline_failure_CountOutputs_examples gauge",
      P + "pipeline_failure_CountOutputs_examples{job_id=\"j1\",operator_name=\"CountOutputs_"
          + "Examples\",subtask_index=\"0\",} 7.0",
      P + "pipeline_failure_CountOutputs_examples{job_id=\"j1\",operator_name=\"CountOutputs_"
          + "Examples\",subtask_index=\"1\",} 5.0",
      P + "pipeline_failure_CountOutputs_examples_fine_grained{job_id=\"j1\",subtask_index=\"0\",} 9.0",
      P + "pipeline_failure_CountOutputs_dead_letters{job_id=\"j1\",subtask_index=\"0\",} 4.0",
      P + "pipeline_failure_CountOutputs_dead_letters_TOO_SHORT{job_id=\"j1\",subtask_index=\"0\",} 3.0",
      P + "pipeline_failure_CountOutputs_dead_letters_EMPTY{job_id=\"j1\",subtask_index=\"1\",} 1.0",
      P + "pipeline_source_ReadDocuments_records_read{job_id=\"j1\",subtask_index=\"0\",} 40.0",
      P + "pipeline_source_ReadDocuments_records_read{job_id=\"other\",subtask_index=\"0\",} 99.0",
      P + "pipeline_dedup_NearDuplicates_bucket_sketches{job_id=\"j1\",subtask_index=\"0\",} NaN",
      "flink_taskmanager_job_task_operator_numRecordsIn{job_id=\"j1\",subtask_index=\"0\",} 12.0",
      "flink_jobmanager_numRunningJobs{host=\"localhost\",} 1.0");

  @Test
  void sumsOurCountersOfOneJobOverOperatorsAndSubtasks() {
    Map<String, Double> c = JobStatus.parsePrometheus(TEXT, "j1");
    assertEquals(Map.of(
        "CountOutputs.examples", 12.0,
        "CountOutputs.examples_fine_grained", 9.0,
        "CountOutputs.dead_letters", 4.0,
        "CountOutputs.dead_letters_TOO_SHORT", 3.0,
        "CountOutputs.dead_letters_EMPTY", 1.0,
        "ReadDocuments.records_read", 40.0), c);
    assertEquals(4.0 / 16, JobStatus.deadLetterShare(c), 1e-9);
  }

  @Test
  void withoutAJobIdEveryJobCounts() {
    assertEquals(139.0, JobStatus.parsePrometheus(TEXT, null).get("ReadDocuments.records_read"));
  }

  @Test
  void namesStartAtTheClass() {
    assertEquals("CountOutputs.dead_letters_LLM_HTTP_ERROR",
        JobStatus.shortName("pipeline_failure_CountOutputs_dead_letters_LLM_HTTP_ERROR"));
    assertEquals("ChatClient.cache_hits", JobStatus.shortName("pipeline_synth_llm_ChatClient_cache_hits"));
    assertTrue(Double.isNaN(JobStatus.deadLetterShare(Map.of())));
  }

  @Test
  void labelsWithEscapedQuotesAndCommas() {
    assertEquals(Map.of("a", "x,y", "b", "say \\\"hi\\\""),
        JobStatus.labels("a=\"x,y\",b=\"say \\\"hi\\\"\","));
  }
}
