import type { components } from "./schema";

type Schemas = components["schemas"];

export type Me = Schemas["Me"];
export type TokenPair = Schemas["TokenPair"];
export type Problem = Schemas["Problem"];
export type UserRole = Schemas["UserRole"];
export type GuestView = Schemas["GuestView"];
export type VendorSafeGuest = Schemas["VendorSafeGuest"];
export type StayView = Schemas["StayView"];
export type VendorSafeStay = Schemas["VendorSafeStay"];
export type TimelineEntry = Schemas["TimelineEntry"];
export type StaffGuestDetail = Schemas["StaffGuestDetail"];
export type VendorGuestDetail = Schemas["VendorGuestDetail"];
export type VendorView = Schemas["VendorView"];
export type VendorCreate = Schemas["VendorCreate"];
export type VendorUpdate = Schemas["VendorUpdate"];
export type OfferingView = Schemas["OfferingView"];
export type OfferingCreate = Schemas["OfferingCreate"];
export type OfferingUpdate = Schemas["OfferingUpdate"];
export type BookingView = Schemas["BookingView"];
export type BookingCreate = Schemas["BookingCreate"];
export type BookingState = Schemas["BookingState"];
export type ChargeView = Schemas["ChargeView"];
export type ChargeState = Schemas["ChargeState"];
export type Settlement = Schemas["Settlement"];
export type UserView = Schemas["UserView"];
export type UserInvite = Schemas["UserInvite"];
export type InviteUserResponse = Schemas["InviteUserResponse"];
export type SyncStatus = Schemas["SyncStatus"];
export type SyncOverview = Schemas["SyncOverview"];
/** Where a property stands: onboarding, importing (its initial import), live, stopped. */
export type PropertyPhase = SyncStatus["phase"];
export type PropertyView = Schemas["PropertySummary"];
export type Catalogue = Schemas["HotelCatalogue"];
export type CatalogueService = Schemas["CatalogueServiceOut"];
export type CatalogueProduct = Schemas["CatalogueProductOut"];
export type StayNote = Schemas["StayNoteView"];
export type GuestEdit = Schemas["GuestEdit"];
export type GuestEditReply = Schemas["GuestEditReply"];
export type GuestEditView = Schemas["GuestEditView"];
export type EditFieldView = Schemas["EditFieldView"];
export type SyncState = GuestEditReply["sync_state"];
export type StaffStay = Schemas["StaffStay"];
export type StayNoteWrite = Schemas["StayNoteWrite"];
export type StayNoteWriteView = Schemas["StayNoteWriteView"];
export type EditRules = Schemas["EditRules"];
export type FieldRule = Schemas["FieldRule"];
export type EditRule = FieldRule["rule"];

/** A stay as either view shows it (staff: `StayView`; vendor: `VendorSafeStay`). */
export type AnyStay = StayView | VendorSafeStay;

export function stayRoom(stay: AnyStay): string | null | undefined {
  return "room" in stay ? stay.room : (stay as StayView).resource_name;
}

export const ROLES: readonly UserRole[] = ["admin", "manager", "front_desk", "vendor"];

export const ROLE_LABELS: Record<UserRole, string> = {
  admin: "Admin",
  manager: "Manager",
  front_desk: "Front desk",
  vendor: "Vendor",
};
