/** Boot of the admin view (dist/web/admin.js, page /admin.html served by the relay), with cut-off text shown in full on hover. */
import './admin-view.ts'
import { showCutOffTextOnHover } from './overflow-titles.ts'

showCutOffTextOnHover()
