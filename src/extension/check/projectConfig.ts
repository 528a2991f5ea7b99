// The check's settings in the editor: `prompts`, `expectedOutputTokens`, `traffic` and
// `budgets` from the workspace folder's prompt-profiler.json (as the CLI reads them), the models
// and max output from the settings, and `promptProfiler.projection.callsPerDay` for prompts no
// traffic covers. The file is re-read when it changes.
import * as vscode from 'vscode';
import type { Budget, CheckSettings } from '../../core/check';
import { Disposable } from '../lifecycle';
import type { Services } from '../services';

export const PROJECT_CONFIG_FILE = 'prompt-profiler.json';

interface ProjectFile {
  prompts?: string[];
  expectedOutputTokens?: number | Record<string, number>;
  traffic?: Record<string, number>;
  budgets?: Budget[];
}

export class ProjectConfig extends Disposable {
  private readonly files = new Map<string, Promise<ProjectFile>>();
  private readonly emitter = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.emitter.event;

  constructor(private readonly services: Services) {
    super();
    const watcher = this._register(vscode.workspace.createFileSystemWatcher(`**/${PROJECT_CONFIG_FILE}`));
    const changed = () => {
      this.files.clear();
      this.emitter.fire();
    };
    this._register(watcher.onDidChange(changed));
    this._register(watcher.onDidCreate(changed));
    this._register(watcher.onDidDelete(changed));
    this._register(services.config.onDidChange(() => this.emitter.fire()));
  }

  /** The settings for prompts of `folder` (the workspace folder of the document). */
  async settingsFor(folder: vscode.WorkspaceFolder | undefined): Promise<CheckSettings> {
    const c = this.services.config.value;
    const file = folder ? await this.read(folder) : {};
    return {
      models: c.models,
      maxOutputTokens: c.maxOutputTokens,
      defaultCallsPerDay: c.projectionCallsPerDay,
      prompts: file.prompts,
      expectedOutputTokens: file.expectedOutputTokens,
      traffic: file.traffic,
      budgets: file.budgets,
    };
  }

  private read(folder: vscode.WorkspaceFolder): Promise<ProjectFile> {
    const key = folder.uri.toString();
    let p = this.files.get(key);
    if (!p) {
      p = (async () => {
        const uri = vscode.Uri.joinPath(folder.uri, PROJECT_CONFIG_FILE);
        try {
          const raw = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri))) as Record<string, unknown>;
          // VS Code checks the file against the schema as it is edited; here only the shapes we use count.
          return {
            prompts: Array.isArray(raw.prompts) ? raw.prompts.filter((g): g is string => typeof g === 'string') : undefined,
            expectedOutputTokens: typeof raw.expectedOutputTokens === 'number' || isNumberRecord(raw.expectedOutputTokens) ? (raw.expectedOutputTokens as number | Record<string, number>) : undefined,
            traffic: isNumberRecord(raw.traffic) ? raw.traffic : undefined,
            budgets: Array.isArray(raw.budgets) ? raw.budgets.filter((b): b is Budget => !!b && typeof b === 'object' && typeof (b as Budget).match === 'string') : undefined,
          };
        } catch (e) {
          if (!(e instanceof vscode.FileSystemError)) this.services.log.warn(`${PROJECT_CONFIG_FILE} in ${folder.name}: ${(e as Error).message}`);
          return {};
        }
      })();
      this.files.set(key, p);
    }
    return p;
  }
}

function isNumberRecord(v: unknown): v is Record<string, number> {
  return !!v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'number');
}
