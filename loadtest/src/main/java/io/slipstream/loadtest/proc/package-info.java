/**
 * Reads a process's CPU time and memory from {@code /proc} (Linux), for the server under test
 * ({@code --server-pid}) and for the tool itself, and its heap after a full GC through {@code jcmd}
 * when the JDK provides it.
 */
package io.slipstream.loadtest.proc;
