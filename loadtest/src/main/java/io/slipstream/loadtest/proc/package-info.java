/**
 * Reads a process's CPU time and memory from {@code /proc} (Linux), for the server under test
 * ({@code --server-pid}) and for the tool itself, its heap after a full GC through {@code jcmd}, and
 * its peak heap over a phase through {@code jstat}, when the JDK provides them.
 */
package io.slipstream.loadtest.proc;
