/** Boot of the admin view (dist/web/admin.js, page /admin.html served by the relay). */
import './admin-view.ts'
