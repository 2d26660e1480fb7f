package dev.r1.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each service has an image recipe that copies the module's Spring Boot exec jar (the
 * spring-boot-maven-plugin's {@code exec} classifier), runs as a non-root user, exposes the
 * service's port, and is the image the base Deployment runs. Docker itself does not run here.
 */
class DockerfilesTest {

  private static final Pattern COPY_JAR =
      Pattern.compile("(\\S+)/target/(\\S+)-\\$\\{VERSION}-exec\\.jar\\s+(\\S+)");

  @ParameterizedTest
  @ValueSource(
      strings = {
        "gateway",
        "policy-service",
        "sampler-service",
        "reward-service",
        "trainer-service",
        "distill-service",
        "trainer-service-cuda"
      })
  void imageRunsTheModulesExecJarAsNonRoot(String image) throws Exception {
    Path file = Repo.root().resolve("deploy/docker/" + image + ".Dockerfile");
    assertThat(file).exists();
    String module = image.replace("-cuda", "");
    List<Dockerfiles.Instruction> stage = Dockerfiles.finalStage(file);

    // the jar: <module>/target/<artifactId>-${VERSION}-exec.jar, VERSION defaulting to the pom's
    String copy =
        stage.stream()
            .filter(i -> i.keyword().equals("COPY") && i.args().contains("-exec.jar"))
            .map(Dockerfiles.Instruction::args)
            .findFirst()
            .orElseThrow(() -> new AssertionError(file + " copies no exec jar"));
    Matcher m = COPY_JAR.matcher(copy);
    assertThat(m.find()).as(copy).isTrue();
    assertThat(m.group(1)).isEqualTo(module);
    String pom = Files.readString(Repo.root().resolve(module).resolve("pom.xml"));
    assertThat(pom).contains("<artifactId>" + m.group(2) + "</artifactId>");
    assertThat(pom).contains("<classifier>exec</classifier>");
    assertThat(stage).contains(new Dockerfiles.Instruction("ARG", "VERSION=" + Repo.version()));
    String jar = m.group(3);
    assertThat(stage.get(stage.size() - 1))
        .isEqualTo(
            new Dockerfiles.Instruction("ENTRYPOINT", "[\"java\", \"-jar\", \"" + jar + "\"]"));

    // a numeric, non-root user that the Deployments' runAsUser matches
    String user =
        stage.stream()
            .filter(i -> i.keyword().equals("USER"))
            .reduce((a, b) -> b)
            .orElseThrow(() -> new AssertionError(file + " has no USER"))
            .args();
    String uid = user.split(":")[0];
    assertThat(uid).matches("\\d+").isNotEqualTo("0");

    // the port the service listens on, as its application.yml and the Deployment say
    String port = Repo.setting(module, "server.port");
    assertThat(stage).contains(new Dockerfiles.Instruction("EXPOSE", port));
    Deployment d =
        Manifests.of(Manifests.render("k8s/base"), Deployment.class).stream()
            .filter(x -> x.getMetadata().getName().equals(module))
            .findFirst()
            .orElseThrow();
    Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getPorts().get(0).getContainerPort()).isEqualTo(Integer.parseInt(port));
    assertThat(d.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser())
        .isEqualTo(Long.parseLong(uid));
    assertThat(c.getImage()).startsWith("r1/" + module + ":");
  }
}
