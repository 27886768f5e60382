/**
 * A proxy under measurement (the gateway or the bare relay): its process, how many requests it was sent, and an
 * optional CPU-profiling window with the process CPU time spent inside it.
 */
import { cpuSnapshot, type ServiceProcess } from './children';
import { summariseProfile, type ProfileSummary } from './cpuprofile';

export class MeasuredProxy {
  /** Requests sent to it (warm-up included). */
  requests = 0;
  /** Requests sent while the profiler ran. */
  profiledRequests = 0;
  /** Process CPU time over the profiling window, once it ended. */
  profiledCpuMs: number | null = null;
  private profiling = false;
  private profileCpuStart = 0;

  constructor(
    readonly service: ServiceProcess,
    /** Where the CPU profile goes; null = no profiling. */
    readonly profileFile: string | null,
  ) {}

  count(n: number): void {
    this.requests += n;
    if (this.profiling) this.profiledRequests += n;
  }

  async startProfiling(intervalUs: number): Promise<void> {
    if (!this.profileFile || this.profiling) return;
    await this.service.profileStart(intervalUs);
    this.profiling = true;
    this.profileCpuStart = cpuSnapshot(this.service).onCpu;
  }

  /** Stops the profiler and summarises the profile (`roots`: folders stripped from paths). */
  async stopProfiling(roots: readonly string[]): Promise<ProfileSummary | null> {
    if (!this.profileFile || !this.profiling) return null;
    this.profiling = false;
    this.profiledCpuMs = cpuSnapshot(this.service).onCpu - this.profileCpuStart;
    await this.service.profileStop(this.profileFile);
    return summariseProfile(this.profileFile, roots);
  }
}
