package dev.r1.distill.job;

import dev.r1.distill.DistillProperties;
import dev.r1.distill.messaging.Publisher;
import dev.r1.distill.policy.PolicyClient;

/** What a job run uses of the service. */
record Services(
    DistillProperties props,
    PolicyClient policy,
    Publisher publisher,
    FleetSampler fleet,
    ChildJobs children) {}
