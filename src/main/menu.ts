import type { MenuItemConstructorOptions } from 'electron';

/**
 * The application menu: the platform's usual roles (so copy/paste, zoom and quit work with their
 * shortcuts) and a way to find the folder where models and the database live. No "check for
 * updates", no help links: nothing here reaches the network.
 */
export function menuTemplate(options: {
  platform: NodeJS.Platform;
  appName: string;
  packaged: boolean;
  openDataFolder: () => void;
  openModelsFolder: () => void;
}): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin';
  const folders: MenuItemConstructorOptions[] = [
    { label: 'Open Data Folder', click: options.openDataFolder },
    { label: 'Open Models Folder', click: options.openModelsFolder },
  ];
  const view: MenuItemConstructorOptions[] = [
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ];
  if (!options.packaged) view.unshift({ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' });

  return [
    ...(mac
      ? [
          {
            label: options.appName,
            submenu: [
              { role: 'about' },
              { type: 'separator' },
              { role: 'hide' },
              { role: 'hideOthers' },
              { role: 'unhide' },
              { type: 'separator' },
              { role: 'quit' },
            ],
          } satisfies MenuItemConstructorOptions,
        ]
      : []),
    { label: 'File', submenu: [...folders, { type: 'separator' }, mac ? { role: 'close' } : { role: 'quit' }] },
    { role: 'editMenu' },
    { label: 'View', submenu: view },
    { role: 'windowMenu' },
  ];
}
