package dev.r1.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.r1.contracts.JobEventType;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JobStateMachineTest {

  @Test
  void walksTheHappyPath() {
    assertThat(JobStateMachine.next(JobStatus.VALIDATING, JobEventType.QUEUED))
        .contains(JobStatus.QUEUED);
    assertThat(JobStateMachine.next(JobStatus.QUEUED, JobEventType.RUNNING))
        .contains(JobStatus.RUNNING);
    assertThat(JobStateMachine.next(JobStatus.RUNNING, JobEventType.SUCCEEDED))
        .contains(JobStatus.SUCCEEDED);
  }

  @Test
  void terminalStatesAreFinal() {
    for (JobStatus terminal :
        new JobStatus[] {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED}) {
      for (JobEventType type : JobEventType.values()) {
        assertThat(JobStateMachine.next(terminal, type)).as(terminal + " on " + type).isEmpty();
      }
    }
  }

  @Test
  void ignoresBackwardMoves() {
    assertThat(JobStateMachine.next(JobStatus.RUNNING, JobEventType.QUEUED)).isEmpty();
    assertThat(JobStateMachine.next(JobStatus.QUEUED, JobEventType.QUEUED)).isEmpty();
    assertThat(JobStateMachine.next(JobStatus.RUNNING, JobEventType.RUNNING)).isEmpty();
    assertThat(JobStateMachine.next(JobStatus.PAUSED, JobEventType.RUNNING)).isEmpty();
    assertThat(JobStateMachine.next(JobStatus.PAUSED, JobEventType.QUEUED)).isEmpty();
  }

  @Test
  void pauseAndResumeAreLateral() {
    assertThat(JobStateMachine.next(JobStatus.RUNNING, JobEventType.PAUSED))
        .contains(JobStatus.PAUSED);
    assertThat(JobStateMachine.next(JobStatus.PAUSED, JobEventType.PAUSED)).isEmpty();
    assertThat(JobStateMachine.next(JobStatus.PAUSED, JobEventType.RESUMED))
        .contains(JobStatus.RUNNING);
    assertThat(JobStateMachine.next(JobStatus.RUNNING, JobEventType.RESUMED)).isEmpty();
  }

  @Test
  void anyLiveJobCanFinish() {
    for (JobStatus live :
        new JobStatus[] {
          JobStatus.VALIDATING, JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.PAUSED
        }) {
      assertThat(JobStateMachine.next(live, JobEventType.FAILED)).contains(JobStatus.FAILED);
      assertThat(JobStateMachine.next(live, JobEventType.CANCELLED)).contains(JobStatus.CANCELLED);
    }
  }

  @Test
  void observationsNeverMoveAJob() {
    for (JobEventType type :
        new JobEventType[] {
          JobEventType.CREATED,
          JobEventType.VALIDATING,
          JobEventType.STEP_METRICS,
          JobEventType.CHECKPOINT,
          JobEventType.MESSAGE
        }) {
      for (JobStatus s : JobStatus.values()) {
        assertThat(JobStateMachine.next(s, type)).as(s + " on " + type).isEqualTo(Optional.empty());
      }
      assertThat(JobStateMachine.lifecycle(type)).isFalse();
    }
  }
}
