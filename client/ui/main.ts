/**
 * Boot of the office app (dist/web/app.js): the <rainstaff-app> element, the offline cache of the
 * app itself (service worker, when served over http), Electron's flush-before-quit, and cut-off
 * text shown in full on hover.
 */
import './app-shell.ts'
import { desktopBridge } from './download.ts'
import { registerOfflineCache } from './offline-cache.ts'
import { showCutOffTextOnHover } from './overflow-titles.ts'

const app = document.querySelector('rainstaff-app') ?? document.body.appendChild(document.createElement('rainstaff-app'))
desktopBridge()?.onFlushRequest(() => app.flush())
registerOfflineCache()
showCutOffTextOnHover()
