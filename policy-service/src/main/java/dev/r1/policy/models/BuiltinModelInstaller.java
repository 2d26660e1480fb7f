package dev.r1.policy.models;

import dev.r1.policy.PolicyProperties;
import dev.r1.policy.storage.Manifest;
import dev.r1.policy.storage.PolicyStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/** Creates the {@code tiny-random} base model on startup when enabled and absent. */
@Component
class BuiltinModelInstaller implements ApplicationRunner {

  private static final Logger log = LoggerFactory.getLogger(BuiltinModelInstaller.class);

  private final PolicyStore store;
  private final PolicyProperties properties;

  BuiltinModelInstaller(PolicyStore store, PolicyProperties properties) {
    this.store = store;
    this.properties = properties;
  }

  @Override
  public void run(ApplicationArguments args) {
    if (!properties.builtinTinyModel() || store.hasModel(TinyRandomModel.NAME)) {
      return;
    }
    Manifest m =
        store.storeModel(
            TinyRandomModel.NAME, TinyRandomModel.write(store.newStaging(), TinyRandomModel.SEED));
    log.info(
        "Created the built-in base model {} ({} bytes, model.safetensors sha256 {}) in {}.",
        TinyRandomModel.NAME,
        m.totalBytes(),
        m.sha256(),
        store.root());
  }
}
