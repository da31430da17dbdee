import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { menuTemplate } from '../../src/main/menu';

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? flatten(item.submenu) : [])]);
}

function build(platform: NodeJS.Platform, packaged: boolean) {
  const openDataFolder = vi.fn();
  const openModelsFolder = vi.fn();
  const items = flatten(menuTemplate({ platform, appName: 'MedBench Local', packaged, openDataFolder, openModelsFolder }));
  return { items, roles: items.map((item) => item.role).filter(Boolean), openDataFolder, openModelsFolder };
}

describe('menuTemplate', () => {
  it('has the usual roles on every platform', () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      const { roles } = build(platform, true);
      expect(roles, platform).toEqual(expect.arrayContaining(['editMenu', 'windowMenu', 'quit', 'zoomIn', 'zoomOut', 'resetZoom', 'togglefullscreen']));
    }
  });

  it('has the macOS application menu only on macOS', () => {
    expect(build('darwin', true).roles).toEqual(expect.arrayContaining(['about', 'hide', 'hideOthers', 'unhide']));
    expect(build('linux', true).roles).not.toContain('about');
  });

  it('offers reload and DevTools to developers only', () => {
    expect(build('linux', false).roles).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
    expect(build('linux', true).roles).not.toContain('toggleDevTools');
    expect(build('linux', true).roles).not.toContain('reload');
  });

  it('opens the data and models folders', () => {
    const { items, openDataFolder, openModelsFolder } = build('linux', true);
    const click = (label: string) => (items.find((item) => item.label === label)!.click as () => void)();
    click('Open Models Folder');
    click('Open Data Folder');
    expect(openModelsFolder).toHaveBeenCalledTimes(1);
    expect(openDataFolder).toHaveBeenCalledTimes(1);
  });
});
