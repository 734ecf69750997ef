package io.slipstream.cluster.member;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import io.slipstream.cluster.log.TopicAuthority;
import io.slipstream.cluster.session.SessionLimits;
import io.slipstream.cluster.session.SessionMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cluster.config}: a member started from the operator's Hazelcast file keeps what the file
 * says about the network and the cluster's name, and still gets everything Slipstream relies on
 * (the event bus's maps, the topic and session maps with their backups and quorum, our
 * serialization, fail-on-indeterminate).
 */
class MemberConfigFileTest {

  @TempDir Path dir;

  @Test
  void aYamlFileKeepsItsNetworkAndGetsTheSlipstreamMaps() throws IOException {
    Path file = dir.resolve("hazelcast.yaml");
    Files.writeString(
        file,
        String.join(
            "\n",
            "hazelcast:",
            "  cluster-name: from-the-file",
            "  network:",
            "    port:",
            "      port: 6123",
            "      auto-increment: false",
            "    join:",
            "      multicast:",
            "        enabled: false",
            "      tcp-ip:",
            "        enabled: true",
            "        member-list:",
            "          - 10.1.2.3:6123",
            ""));
    ClusterSettings s = ClusterSettings.defaults(List.of("127.0.0.1:5701"));

    Config cfg = MemberConfig.build(s, file.toString(), SessionLimits.DEFAULTS);

    assertThat(cfg.getClusterName()).isEqualTo("from-the-file");
    assertThat(cfg.getNetworkConfig().getPort()).isEqualTo(6123);
    assertThat(cfg.getNetworkConfig().getJoin().getTcpIpConfig().getMembers())
        .containsExactly("10.1.2.3:6123");
    assertThat(cfg.getMultiMapConfigs()).containsKey("__vertx.subs");
    assertThat(cfg.getMapConfigs()).containsKey("__vertx.nodeInfo");
    assertThat(cfg.getMapConfig(TopicAuthority.MAP_NAME).getBackupCount()).isEqualTo(1);
    assertThat(cfg.getMapConfig(TopicAuthority.MAP_NAME).getInMemoryFormat())
        .isEqualTo(InMemoryFormat.OBJECT);
    assertThat(cfg.getMapConfig(TopicAuthority.MAP_NAME).getSplitBrainProtectionName())
        .isEqualTo(MemberConfig.QUORUM_NAME);
    assertThat(cfg.getSplitBrainProtectionConfig(MemberConfig.QUORUM_NAME).getMinimumClusterSize())
        .isEqualTo(s.minMembers());
    assertThat(cfg.getMapConfigs()).containsKey(SessionMap.MAP_NAME);
    assertThat(cfg.getSerializationConfig().getDataSerializableFactories()).hasSize(2);
    assertThat(cfg.getProperty("hazelcast.operation.fail.on.indeterminate.state"))
        .isEqualTo("true");
  }

  @Test
  void anUnreadableFileIsRefusedNamingTheSetting() {
    assertThatThrownBy(
            () ->
                MemberConfig.build(
                    ClusterSettings.defaults(List.of()),
                    dir.resolve("missing.xml").toString(),
                    SessionLimits.DEFAULTS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cluster.config");
  }
}
