import { Route, Routes } from "react-router-dom";
import { ForbiddenPage, Layout, NotFoundPage } from "./app/Layout";
import { HomeRedirect, ProtectedRoute } from "./features/auth/ProtectedRoute";
import { SetPasswordPage } from "./features/auth/SetPasswordPage";
import { SignInPage } from "./features/auth/SignInPage";
import { BookingPage } from "./app/routes/BookingPage";
import { DashboardPage } from "./app/routes/DashboardPage";
import { StayPage } from "./features/stays/StayPage";
import { EditRulesPage } from "./features/guests/EditRulesPage";
import { GuestPage } from "./app/routes/GuestPage";
import { GuestSearchPage } from "./features/guests/GuestSearchPage";
import { ErasurePage } from "./features/privacy/ErasurePage";
import { ErasuresPage } from "./features/privacy/ErasuresPage";
import { SyncPage } from "./features/sync/SyncPage";
import { UsersPage } from "./features/users/UsersPage";
import { OwnVendorPage, VendorPage } from "./app/routes/VendorPage";
import { VendorsPage } from "./features/vendors/VendorsPage";

const STAFF = ["admin", "manager", "front_desk"] as const;

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route path="/set-password" element={<SetPasswordPage />} />
      <Route element={<ProtectedRoute />}>
        <Route element={<Layout />}>
          <Route index element={<HomeRedirect />} />
          <Route path="forbidden" element={<ForbiddenPage />} />
          <Route element={<ProtectedRoute roles={STAFF} />}>
            <Route path="dashboard" element={<DashboardPage />} />
            <Route path="vendors" element={<VendorsPage />} />
            <Route path="vendors/:vendorId" element={<VendorPage />} />
          </Route>
          <Route element={<ProtectedRoute permissions={["guests:read"]} />}>
            <Route path="guests" element={<GuestSearchPage />} />
            <Route path="guests/:guestId" element={<GuestPage />} />
            <Route path="stays/:stayId" element={<StayPage />} />
          </Route>
          <Route element={<ProtectedRoute permissions={["bookings:read", "bookings:read:own"]} />}>
            <Route path="bookings/:bookingId" element={<BookingPage />} />
          </Route>
          <Route element={<ProtectedRoute permissions={["guests:erase"]} />}>
            <Route path="erasures/:requestId" element={<ErasurePage />} />
          </Route>
          <Route element={<ProtectedRoute roles={["vendor"]} />}>
            <Route path="vendor" element={<OwnVendorPage />} />
          </Route>
          <Route element={<ProtectedRoute roles={["admin"]} />}>
            <Route path="users" element={<UsersPage />} />
            <Route path="erasures" element={<ErasuresPage />} />
          </Route>
          <Route element={<ProtectedRoute roles={["admin", "manager"]} />}>
            <Route path="sync" element={<SyncPage />} />
            <Route path="edit-rules" element={<EditRulesPage />} />
          </Route>
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Route>
    </Routes>
  );
}
