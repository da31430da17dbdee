import type { Command } from 'commander';
import { addBackendOptions, backendOptionsFrom } from '../backend-options';
import { UsageError } from '../errors';
import type { DoctorPart } from './doctor';

/**
 * `medbench doctor --backend openai --base-url URL [--model NAME]`: the server conformance checks
 * (src/core/engine/backends/openai/doctor.ts) next to the machine checks.
 */
let command: Command | null = null;

export const openaiDoctorPart: DoctorPart = {
  addOptions(doctor) {
    command = doctor;
    addBackendOptions(doctor, ['openai']);
    doctor.option('--model <name>', "with --backend openai: the server's model to check (default: the first it lists)");
  },
  async run(options) {
    if (options.backend !== 'openai' || !command) return [];
    const serverOptions = backendOptionsFrom(command, 'openai');
    if (!serverOptions.baseUrl) throw new UsageError('doctor --backend openai needs --base-url URL');
    const { checkServer } = await import('../../core/engine/backends/openai/doctor');
    return checkServer({ ...(serverOptions as { baseUrl: string }), ...(typeof options.model === 'string' ? { model: options.model } : {}) });
  },
};
