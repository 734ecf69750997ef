package io.slipstream.loadtest.proc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcStatTest {

  @Test
  void parsesStatEvenWhenTheCommandHasSpacesAndParens() {
    String stat =
        "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 12345 0 0 0 1500 250 0 0 20 0 37 0 8812"
            + " 5368709120 60000 18446744073709551615 1 1 0 0 0 0 0 4096 17167 0 0 0 17 1 0 0 0 0"
            + " 0";
    ProcStat.Ticks t = ProcStat.parseStat(stat);
    assertThat(t).isNotNull();
    assertThat(t.user()).isEqualTo(1500);
    assertThat(t.system()).isEqualTo(250);
    assertThat(t.total()).isEqualTo(1750);
    assertThat(t.threads()).isEqualTo(37);
  }

  @Test
  void rejectsWhatIsNotAStatLine() {
    assertThat(ProcStat.parseStat("garbage")).isNull();
    assertThat(ProcStat.parseStat("1 (x) S 1 2")).isNull();
  }

  @Test
  void readsKilobyteFieldsOfStatus() {
    String status =
        "Name:\tjava\n"
            + "VmPeak:\t 6000000 kB\n"
            + "VmHWM:\t  300000 kB\n"
            + "VmRSS:\t  250000 kB\n"
            + "Threads:\t37\n";
    assertThat(ProcStat.statusBytes(status, "VmRSS")).isEqualTo(250000L * 1024);
    assertThat(ProcStat.statusBytes(status, "VmHWM")).isEqualTo(300000L * 1024);
    assertThat(ProcStat.statusBytes(status, "Threads")).isEqualTo(37);
    assertThat(ProcStat.statusBytes(status, "VmSwap")).isEqualTo(-1);
  }

  @Test
  void readsTheHeapInUseFromJcmdOutput() {
    String g1 =
        "12345:\n"
            + " garbage-first heap   total 262144K, used 24567K [0x0000000700000000,"
            + " 0x0000000800000000)\n"
            + "  region size 1024K, 3 young (3072K), 0 survivors (0K)\n"
            + " Metaspace       used 12345K, committed 12800K, reserved 1114112K\n";
    assertThat(ProcStat.heapUsed(g1)).isEqualTo(24567L * 1024);
    String parallel =
        "1:\n"
            + " PSYoungGen      total 76288K, used 3932K [0x..)\n"
            + " ParOldGen       total 175104K, used 100K\n"
            + "  eden space 65536K, 6% used [0x..)\n";
    assertThat(ProcStat.heapUsed(parallel)).isEqualTo((3932L + 100) * 1024);
    assertThat(
            ProcStat.heapUsed("1:\n ZHeap           used 8M, capacity 64M, max capacity 1024M\n"))
        .isEqualTo(8L * 1024 * 1024);
    assertThat(ProcStat.heapUsed("nothing here")).isEqualTo(-1);
  }

  @Test
  void samplesThisProcess() {
    ProcessProbe self = ProcessProbe.self();
    if (!self.readable()) {
      return; // not Linux
    }
    ProcessProbe.Sample s = self.sample();
    assertThat(s).isNotNull();
    assertThat(s.cpuSeconds()).isPositive();
    assertThat(s.rssBytes()).isGreaterThan(1024 * 1024);
    assertThat(s.threads()).isPositive();
    assertThat(ProcessProbe.clockTicks()).isPositive();
  }
}
